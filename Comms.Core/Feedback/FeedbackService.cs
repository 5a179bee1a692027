using Comms.Core.Messages;
using Comms.Core.Preferences;
using Npgsql;

namespace Comms.Core.Feedback;

/// <summary>
/// Applies providers' delivery reports to messages (SPEC S4 feedback): the status moves only forward from what the report
/// may follow (so a repeated report, which providers send, changes nothing), and a hard bounce or complaint adds the
/// address, SHA-256 hashed, to the tenant's suppression list in the same transaction (routing then decides
/// <c>COMMS_SUPPRESSED</c> for it). The status change also writes the status webhooks' outbox (a trigger on <c>messages</c>).
/// </summary>
public sealed class FeedbackService(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>The suppression reasons written for a hard bounce and a complaint.</summary>
    public const string BounceReason = "hard bounce";
    public const string ComplaintReason = "spam complaint";

    private const string FindByIdSql = "SELECT id, tenant_id, channel, address FROM messages WHERE id = @id AND tenant_id = @tenant AND channel = @channel";
    private const string FindByProviderIdSql =
        "SELECT id, tenant_id, channel, address FROM messages WHERE provider_message_id = @provider_id AND channel = @channel ORDER BY created_at DESC LIMIT 1";

    /// <summary>The statuses each report may follow.</summary>
    private static string[] From(FeedbackKind kind) => kind switch
    {
        FeedbackKind.Delivered => [MessageStatus.Sent],
        FeedbackKind.Bounced => [MessageStatus.Sent, MessageStatus.Delivered],
        FeedbackKind.Complained => [MessageStatus.Sent, MessageStatus.Delivered],
        FeedbackKind.Failed => [MessageStatus.Sent],
        _ => [MessageStatus.Sent, MessageStatus.Delivered],
    };

    private static string? To(FeedbackKind kind) => kind switch
    {
        FeedbackKind.Delivered => MessageStatus.Delivered,
        FeedbackKind.Bounced => MessageStatus.Bounced,
        FeedbackKind.Complained => MessageStatus.Complained,
        FeedbackKind.Failed => MessageStatus.Failed,
        _ => null,
    };

    public async Task<FeedbackResult> ApplyAsync(DeliveryFeedback feedback, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var message = await FindAsync(connection, transaction, feedback, cancellationToken);
        if (message is null)
        {
            return FeedbackResult.UnknownMessage;
        }

        var now = time.GetUtcNow();
        var reason = feedback.Reason is null ? null : Truncate($"{feedback.Provider}: {feedback.Reason}");
        int changed;
        await using (var update = new NpgsqlCommand("""
            UPDATE messages SET status = COALESCE(@status, status), last_error = COALESCE(@error, last_error),
                   failed_at = CASE WHEN @status IN ('failed', 'bounced', 'complained') THEN @now ELSE failed_at END
             WHERE id = @id AND status = ANY(@from) AND (@status IS NULL OR status <> @status)
            """, connection, transaction))
        {
            update.Parameters.AddWithValue("status", NpgsqlTypes.NpgsqlDbType.Varchar, (object?)To(feedback.Kind) ?? DBNull.Value);
            update.Parameters.AddWithValue("error", NpgsqlTypes.NpgsqlDbType.Varchar, (object?)reason ?? DBNull.Value);
            update.Parameters.AddWithValue("now", now);
            update.Parameters.AddWithValue("id", message.Value.Id);
            update.Parameters.AddWithValue("from", From(feedback.Kind));
            changed = await update.ExecuteNonQueryAsync(cancellationToken);
        }

        if (feedback.Kind is FeedbackKind.Bounced or FeedbackKind.Complained && (feedback.Address ?? message.Value.Address) is { Length: > 0 } address)
        {
            await using var suppress = new NpgsqlCommand("""
                INSERT INTO suppressions (tenant_id, channel, address_hash, reason, created_at) VALUES (@tenant, @channel, @hash, @reason, @now)
                ON CONFLICT DO NOTHING
                """, connection, transaction);
            suppress.Parameters.AddWithValue("tenant", message.Value.TenantId);
            suppress.Parameters.AddWithValue("channel", message.Value.Channel);
            suppress.Parameters.AddWithValue("hash", Suppression.Hash(address));
            suppress.Parameters.AddWithValue("reason", feedback.Kind is FeedbackKind.Bounced ? BounceReason : ComplaintReason);
            suppress.Parameters.AddWithValue("now", now);
            await suppress.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return changed == 1 && feedback.Kind is not FeedbackKind.Note ? FeedbackResult.Changed : FeedbackResult.Unchanged;
    }

    private static async Task<(Guid Id, string TenantId, string Channel, string? Address)?> FindAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, DeliveryFeedback feedback, CancellationToken cancellationToken)
    {
        NpgsqlCommand command;
        if (feedback.MessageId is { } id && feedback.TenantId is { } tenant)
        {
            command = new NpgsqlCommand(FindByIdSql, connection, transaction);
            command.Parameters.AddWithValue("id", id);
            command.Parameters.AddWithValue("tenant", tenant);
            command.Parameters.AddWithValue("channel", feedback.Channel);
        }
        else if (!string.IsNullOrEmpty(feedback.ProviderMessageId))
        {
            command = new NpgsqlCommand(FindByProviderIdSql, connection, transaction);
            command.Parameters.AddWithValue("provider_id", feedback.ProviderMessageId);
            command.Parameters.AddWithValue("channel", feedback.Channel);
        }
        else
        {
            return null;
        }

        await using (command)
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken)
                ? (reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3))
                : null;
        }
    }

    private static string Truncate(string value) => value.Length > 2000 ? value[..2000] : value;
}
