using Comms.Core.Queueing;
using Npgsql;

namespace Comms.Core.Digests;

/// <summary>A digest window claimed for flushing.</summary>
public sealed record ClaimedDigest(
    Guid Id, string TenantId, Guid RecipientId, string Channel, string DigestKey, string EventName, string Category,
    int Attempts, Guid ClaimToken)
{
    public LeaseClaim Claim => new(Id, ClaimToken);
}

/// <summary>
/// The flush queue over the <c>digests</c> table (its SQL lives here). A due window is claimed with
/// <c>FOR UPDATE SKIP LOCKED</c>: it leaves <c>open</c> (so new events open a new window) for <c>flushing</c>, with a
/// lease, an attempt counted and a random <c>claim_token</c> that every later write must present. Each window is
/// then flushed in its own transaction; one that fails is retried with backoff, and dead-lettered
/// (<c>failed</c>, <c>last_error</c>, <c>failed_at</c>) after its attempts, without holding up any other.
/// </summary>
public sealed class DigestQueue(NpgsqlDataSource dataSource, TimeProvider time)
{
    public async Task<IReadOnlyList<ClaimedDigest>> ClaimAsync(string owner, int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand("""
            UPDATE digests d
               SET status = 'flushing', lease_owner = @owner, lease_until = @lease_until, attempts = d.attempts + 1,
                   claim_token = gen_random_uuid()
             WHERE d.id IN (SELECT id FROM digests
                             WHERE status IN ('open', 'flushing') AND flush_at <= @now
                               AND (lease_until IS NULL OR lease_until < @now)
                             ORDER BY flush_at
                             LIMIT @limit
                             FOR UPDATE SKIP LOCKED)
            RETURNING d.id, d.tenant_id, d.recipient_id, d.channel, d.digest_key, d.event_name, d.category, d.attempts, d.claim_token
            """);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("lease_until", now + lease);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("limit", limit);
        var windows = new List<ClaimedDigest>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            windows.Add(new ClaimedDigest(reader.GetGuid(0), reader.GetString(1), reader.GetGuid(2), reader.GetString(3),
                reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetInt32(7), reader.GetGuid(8)));
        }

        return windows;
    }

    /// <summary>The heartbeat: extends the leases of these claims; returns the ids still held.</summary>
    public async Task<IReadOnlySet<Guid>> ExtendLeasesAsync(IReadOnlyCollection<LeaseClaim> claims, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE digests d SET lease_until = @lease_until
              FROM unnest(@ids, @tokens) AS c(id, token)
             WHERE d.id = c.id AND d.claim_token = c.token AND d.status = 'flushing'
            RETURNING d.id
            """);
        command.Parameters.AddWithValue("lease_until", time.GetUtcNow() + lease);
        command.Parameters.AddWithValue("ids", claims.Select(c => c.Id).ToArray());
        command.Parameters.AddWithValue("tokens", claims.Select(c => c.Token).ToArray());
        var held = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            held.Add(reader.GetGuid(0));
        }

        return held;
    }

    /// <summary>Closes a flushed window within the flush transaction; false (roll back) when the claim no longer holds it.</summary>
    internal static async Task<bool> CompleteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, LeaseClaim claim, int eventCount, Guid? messageId, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            UPDATE digests SET status = 'flushed', flushed_at = @now, event_count = @count, message_id = @message,
                   lease_owner = NULL, lease_until = NULL, claim_token = NULL
             WHERE id = @id AND claim_token = @token AND status = 'flushing'
            """, connection, transaction);
        command.Parameters.AddWithValue("id", claim.Id);
        command.Parameters.AddWithValue("token", claim.Token);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("count", eventCount);
        command.Parameters.AddWithValue("message", (object?)messageId ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>After a failed flush: tries the window again at <paramref name="retryAt"/>, or dead-letters it.</summary>
    public async Task<bool> ReleaseAsync(LeaseClaim claim, string error, DateTimeOffset retryAt, bool giveUp, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE digests SET status = CASE WHEN @give_up THEN 'failed' ELSE status END,
                   flush_at = CASE WHEN @give_up THEN flush_at ELSE @retry_at END,
                   failed_at = CASE WHEN @give_up THEN @now ELSE failed_at END,
                   last_error = @error, lease_owner = NULL, lease_until = NULL, claim_token = NULL
             WHERE id = @id AND claim_token = @token AND status = 'flushing'
            """);
        command.Parameters.AddWithValue("id", claim.Id);
        command.Parameters.AddWithValue("token", claim.Token);
        command.Parameters.AddWithValue("give_up", giveUp);
        command.Parameters.AddWithValue("retry_at", retryAt);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        command.Parameters.AddWithValue("error", error.Length > 2000 ? error[..2000] : error);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// When an idle flusher must look again: the earliest flush time of a window nobody holds, or the earliest end
    /// of a lease another flusher holds (two probes of partial indexes).
    /// </summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT LEAST(
                (SELECT min(flush_at) FROM digests WHERE status IN ('open', 'flushing') AND lease_until IS NULL),
                (SELECT min(lease_until) FROM digests WHERE lease_until IS NOT NULL))
            """);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DateTime dt ? new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)) : null;
    }
}
