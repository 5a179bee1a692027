using Comms.Core.Queueing;
using Npgsql;
using NpgsqlTypes;

namespace Comms.Core.Messages;

/// <summary>A "sent" mark: the claim, the provider's id for the message, and the attempt to record with it (none when null).</summary>
public sealed record SentMark(LeaseClaim Claim, string? ProviderMessageId, AttemptRecord? Attempt);

/// <summary>
/// The attempt rows of <see cref="MessageQueue"/>: every state change that ends an attempt (sent, retried, dead-lettered)
/// writes its <c>message_attempts</c> row in the SAME statement, a data-modifying CTE over the fenced update's returned
/// rows — no round trip of its own, and only the claim that still held the message records an attempt.
/// </summary>
public sealed partial class MessageQueue
{
    /// <summary>What the fenced update of a message returns for its attempt row.</summary>
    private const string DoneColumns = "id, tenant_id, created_at, attempts";

    /// <summary>After a <c>done</c> CTE of one message: its attempt row (when <c>@a_outcome</c> is given); the result is the rows updated.</summary>
    private const string RecordOneAttempt = """
        , recorded AS (
            INSERT INTO message_attempts (message_id, tenant_id, created_at, attempt, provider, outcome, started_at, finished_at,
                                          status_code, response, provider_message_id, error_code)
            SELECT id, tenant_id, created_at, attempts, @a_provider, @a_outcome, @a_started, @now,
                   @a_status, @a_response, @a_provider_message_id, @a_error_code
              FROM done WHERE @a_outcome IS NOT NULL)
        SELECT count(*) FROM done
        """;

    // The rows are locked in id order first (as the lease heartbeat's statement does), so a mark and a heartbeat of
    // the same claim never deadlock. The locked rows carry their own values on (one join of the arrays with the table,
    // by its index: never a join of two CTEs, which the planner, guessing 10 rows for each, could make quadratic).
    private const string MarkSentManySql = """
        WITH locked AS (
            SELECT m.id, c.provider_id, c.provider, c.started_at, c.status_code, c.response
              FROM messages m
              JOIN unnest(@ids, @tokens, @provider_ids, @providers, @started, @statuses, @responses)
                   AS c(id, token, provider_id, provider, started_at, status_code, response)
                ON m.id = c.id AND m.claim_token = c.token
             WHERE m.status = 'queued'
             ORDER BY m.id
               FOR UPDATE OF m),
        done AS (
            UPDATE messages m SET status = 'sent', sent_at = @now, provider_message_id = COALESCE(l.provider_id, m.provider_message_id),
                   provider = COALESCE(l.provider, m.provider), lease_owner = NULL, lease_until = NULL, claim_token = NULL
              FROM locked l
             WHERE m.id = l.id
            RETURNING m.id, m.tenant_id, m.created_at, m.attempts, l.provider, l.started_at, l.status_code, l.response, l.provider_id),
        recorded AS (
            INSERT INTO message_attempts (message_id, tenant_id, created_at, attempt, provider, outcome, started_at, finished_at,
                                          status_code, response, provider_message_id)
            SELECT id, tenant_id, created_at, attempts, provider, 'sent', started_at, @now, status_code, response, provider_id
              FROM done WHERE provider IS NOT NULL)
        SELECT id FROM done
        """;

    private static void AddSentAttempts(NpgsqlParameterCollection parameters, IReadOnlyCollection<SentMark> sent, DateTimeOffset now)
    {
        parameters.Add(new NpgsqlParameter<string?[]>("provider_ids", sent.Select(s => s.ProviderMessageId).ToArray()));
        parameters.Add(new NpgsqlParameter<string?[]>("providers", sent.Select(s => s.Attempt?.Provider).ToArray()));
        parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("started", sent.Select(s => (s.Attempt?.StartedAt ?? now).ToUniversalTime()).ToArray()));
        parameters.Add(new NpgsqlParameter<int?[]>("statuses", sent.Select(s => s.Attempt?.StatusCode).ToArray()));
        parameters.Add(new NpgsqlParameter<string?[]>("responses", sent.Select(s => Short(s.Attempt?.Response)).ToArray()));
    }

    /// <summary>The <c>@a_*</c> parameters of <see cref="RecordOneAttempt"/> (all null when there is no attempt), and <c>@now</c>.</summary>
    private static void AddAttempt(NpgsqlParameterCollection parameters, AttemptRecord? attempt, DateTimeOffset now)
    {
        parameters.AddWithValue("now", now);
        Add(parameters, "a_provider", NpgsqlDbType.Text, attempt?.Provider);
        Add(parameters, "a_outcome", NpgsqlDbType.Text, attempt?.Outcome);
        Add(parameters, "a_started", NpgsqlDbType.TimestampTz, (attempt?.StartedAt ?? now).ToUniversalTime());
        Add(parameters, "a_status", NpgsqlDbType.Integer, attempt?.StatusCode);
        Add(parameters, "a_response", NpgsqlDbType.Text, Short(attempt?.Response));
        Add(parameters, "a_provider_message_id", NpgsqlDbType.Text, attempt?.ProviderMessageId);
        Add(parameters, "a_error_code", NpgsqlDbType.Text, attempt?.ErrorCode);
    }

    private static void Add(NpgsqlParameterCollection parameters, string name, NpgsqlDbType type, object? value) =>
        parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });

    /// <summary>Runs a <c>done</c> + <see cref="RecordOneAttempt"/> statement: true when the fenced update changed the message.</summary>
    private static async Task<bool> ExecuteFencedAsync(NpgsqlCommand command, CancellationToken cancellationToken) =>
        (long)(await command.ExecuteScalarAsync(cancellationToken))! == 1;

    private static string? Short(string? response) => response is { Length: > 200 } ? response[..200] : response;
}
