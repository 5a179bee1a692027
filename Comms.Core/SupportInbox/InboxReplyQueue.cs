using Npgsql;

namespace Comms.Core.SupportInbox;

/// <summary>An operator's reply claimed for sending.</summary>
public sealed record ClaimedInboxReply(
    Guid Id, Guid ThreadId, string To, string Subject, string Text, string MessageId, string? InReplyTo, string? References, int Attempts, string ReplyToken);

/// <summary>
/// The outbox of operators' replies (outbound rows of <c>sys_support_inbox_messages</c>): claimed with
/// <c>FOR UPDATE SKIP LOCKED</c> under a lease (a sender that dies leaves the row to be claimed again when the lease
/// ends), then marked sent, retried with back-off, or failed after <see cref="MaxAttempts"/>.
/// </summary>
public sealed class InboxReplyQueue(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const int MaxAttempts = 5;
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    public async Task<IReadOnlyList<ClaimedInboxReply>> ClaimAsync(int limit, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand("""
            UPDATE sys_support_inbox_messages m
               SET status = 'sending', attempts = m.attempts + 1, not_before = @lease_until
              FROM (SELECT id FROM sys_support_inbox_messages
                     WHERE status IN ('queued', 'sending') AND (not_before IS NULL OR not_before <= @now)
                     ORDER BY created_at LIMIT @limit FOR UPDATE SKIP LOCKED) c, sys_support_inbox_threads t
             WHERE m.id = c.id AND t.id = m.thread_id
            RETURNING m.id, m.thread_id, m.to_address, m.subject, m.text, m.message_id_header, m.in_reply_to, m."references", m.attempts, t.reply_token
            """);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("lease_until", now + Lease);
        command.Parameters.AddWithValue("limit", limit);
        var claimed = new List<ClaimedInboxReply>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new ClaimedInboxReply(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? "" : reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetInt32(8), reader.GetString(9)));
        }

        return claimed;
    }

    /// <summary>When the next reply becomes claimable (queued, or its lease or back-off ends).</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT min(coalesce(not_before, created_at)) FROM sys_support_inbox_messages WHERE status IN ('queued', 'sending')");
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime at ? new DateTimeOffset(at, TimeSpan.Zero) : null;
    }

    public Task MarkSentAsync(Guid id, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE sys_support_inbox_messages SET status = 'sent', sent_at = @now, not_before = NULL, error = NULL WHERE id = @id AND status = 'sending'",
            id, null, null, cancellationToken);

    public Task MarkFailedAsync(Guid id, string error, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE sys_support_inbox_messages SET status = 'failed', not_before = NULL, error = @error WHERE id = @id AND status = 'sending'",
            id, error, null, cancellationToken);

    /// <summary>A transient failure: tried again after a back-off (2, 4, 8… s), or failed after <see cref="MaxAttempts"/>.</summary>
    public Task RetryAsync(ClaimedInboxReply reply, string error, CancellationToken cancellationToken) =>
        reply.Attempts >= MaxAttempts
            ? MarkFailedAsync(reply.Id, error, cancellationToken)
            : UpdateAsync("UPDATE sys_support_inbox_messages SET status = 'queued', not_before = @at, error = @error WHERE id = @id AND status = 'sending'",
                reply.Id, error, time.GetUtcNow() + TimeSpan.FromSeconds(Math.Pow(2, reply.Attempts)), cancellationToken);

    private async Task UpdateAsync(string sql, Guid id, string? error, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        command.Parameters.AddWithValue("error", error is null ? DBNull.Value : error.Length > 2000 ? error[..2000] : error);
        command.Parameters.AddWithValue("at", (object?)at ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
