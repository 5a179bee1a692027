using Comms.Core.Queueing;
using Npgsql;

namespace Comms.Core.Messages;

/// <summary>The state changes made inside a caller's transaction (a send-time fallback, the in-app sender's inbox write).</summary>
public sealed partial class MessageQueue
{
    /// <summary>
    /// Dead-letters a message within a caller's transaction (a send-time fallback writes the next channel's message in
    /// the same transaction); false when this claim no longer holds it.
    /// </summary>
    public static async Task<bool> MarkFailedInTransactionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, LeaseClaim claim, string error, AttemptRecord? attempt, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            WITH done AS (
                UPDATE messages SET status = 'failed', last_error = @error, failed_at = @now, provider = COALESCE(@a_provider, provider),
                       lease_owner = NULL, lease_until = NULL, claim_token = NULL
                 WHERE {Fence}
                RETURNING {DoneColumns})
            {RecordOneAttempt}
            """, connection, transaction);
        AddClaim(command.Parameters, claim);
        command.Parameters.AddWithValue("error", Truncate(error));
        AddAttempt(command.Parameters, attempt, now);
        return await ExecuteFencedAsync(command, cancellationToken);
    }

    /// <summary>
    /// Marks messages sent within a caller's transaction (when the send itself is a database write, as for in-app
    /// items), with an attempt of <paramref name="provider"/> each in the same statement; returns the ids this caller
    /// still held — only those may be delivered.
    /// </summary>
    public static async Task<IReadOnlySet<Guid>> MarkSentInTransactionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<LeaseClaim> claims, string provider, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            WITH locked AS (
                SELECT m.id FROM messages m JOIN unnest(@ids, @tokens) AS c(id, token) ON m.id = c.id AND m.claim_token = c.token
                 WHERE m.status = 'queued'
                 ORDER BY m.id
                   FOR UPDATE OF m),
            done AS (
                UPDATE messages m SET status = 'sent', sent_at = @now, provider = @provider, lease_owner = NULL, lease_until = NULL, claim_token = NULL
                  FROM locked
                 WHERE m.id = locked.id
                RETURNING m.id, m.tenant_id, m.created_at, m.attempts),
            recorded AS (
                INSERT INTO message_attempts (message_id, tenant_id, created_at, attempt, provider, outcome, started_at, finished_at)
                SELECT id, tenant_id, created_at, attempts, @provider, 'sent', @now, @now FROM done)
            SELECT id FROM done
            """, connection, transaction);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("provider", provider);
        command.Parameters.AddWithValue("ids", claims.Select(c => c.Id).ToArray());
        command.Parameters.AddWithValue("tokens", claims.Select(c => c.Token).ToArray());
        return await ReadIdsAsync(command, cancellationToken);
    }
}
