using System.Text.Json;
using Comms.Core.Queueing;
using Npgsql;

namespace Comms.Core.Messages;

/// <summary>
/// The send queue over the <c>messages</c> table (its SQL lives here). Claims take a lease with
/// <c>FOR UPDATE SKIP LOCKED</c> and write a random <c>claim_token</c>; a heartbeat extends the lease while the
/// message is worked on, and every later state change is fenced on that token (not only the replica's name), so
/// a worker whose lease was taken over changes nothing. A crash re-delivers only the rows that were leased.
/// </summary>
public sealed partial class MessageQueue
{
    private readonly NpgsqlDataSource dataSource;
    private readonly TimeProvider time;
    private readonly SentGroupCommit _sentMarks;

    public MessageQueue(NpgsqlDataSource dataSource, TimeProvider time)
    {
        this.dataSource = dataSource;
        this.time = time;
        _sentMarks = new SentGroupCommit(MarkSentManyAsync);
    }

    private const string ClaimSql = """
        WITH claimed AS (
            UPDATE messages m
               SET lease_owner = @owner, lease_until = @lease_until, attempts = m.attempts + 1, claim_token = gen_random_uuid()
             WHERE m.id IN (
                   SELECT id FROM messages
                    WHERE status = 'queued' AND channel = ANY(@channels) AND due_at <= @now
                      AND (lease_until IS NULL OR lease_until < @now)
                    ORDER BY due_at
                    LIMIT @limit
                    FOR UPDATE SKIP LOCKED)
            RETURNING m.*)
        SELECT c.id, c.tenant_id, c.event_id, c.recipient_id, r.external_id, c.channel, c.category,
               c.template_name, c.template_version, c.locale, c.cause_ref, c.address, c.attempts,
               c.escalation_of, c.trace_parent, mr.content::text,
               EXISTS (SELECT 1 FROM inbox_items i
                        WHERE i.message_id = c.escalation_of AND (i.read_at IS NOT NULL OR i.archived_at IS NOT NULL)),
               c.due_at, c.claim_token, c.unsubscribe_url
          FROM claimed c
          JOIN recipients r ON r.id = c.recipient_id
          JOIN message_renders mr ON mr.message_id = c.id
        """;

    /// <summary>The fence of every state change: this claim still holds the message, and it is still queued.</summary>
    private const string Fence = "id = @id AND claim_token = @token AND status = 'queued'";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The warm-up: reads a claimed message's rendered content once, so its JSON metadata is built before the first claim.</summary>
    public static void WarmUp() =>
        JsonSerializer.Deserialize<RenderedContent>("{\"subject\":\"Warm\",\"text\":\"Warm\",\"html\":\"<p>Warm</p>\",\"title\":\"Warm\"}", Json);

    public async Task<IReadOnlyList<ClaimedMessage>> ClaimAsync(
        string[] channels, string owner, int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand(ClaimSql);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("lease_until", now + lease);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.AddWithValue("channels", channels);

        var claimed = new List<ClaimedMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new ClaimedMessage(
                Id: reader.GetGuid(0),
                TenantId: reader.GetString(1),
                EventId: reader.IsDBNull(2) ? null : reader.GetGuid(2),
                RecipientId: reader.GetGuid(3),
                RecipientExternalId: reader.GetString(4),
                Channel: reader.GetString(5),
                Category: reader.GetString(6),
                TemplateName: reader.GetString(7),
                TemplateVersion: reader.GetInt32(8),
                Locale: reader.IsDBNull(9) ? null : reader.GetString(9),
                CauseRef: reader.GetString(10),
                Address: reader.IsDBNull(11) ? null : reader.GetString(11),
                Attempts: reader.GetInt32(12),
                EscalationOf: reader.IsDBNull(13) ? null : reader.GetGuid(13),
                TraceParent: reader.IsDBNull(14) ? null : reader.GetString(14),
                Content: JsonSerializer.Deserialize<RenderedContent>(reader.GetString(15), Json)!,
                EscalationSatisfied: reader.GetBoolean(16),
                DueAt: reader.GetFieldValue<DateTimeOffset>(17),
                ClaimToken: reader.GetGuid(18),
                UnsubscribeUrl: reader.IsDBNull(19) ? null : reader.GetString(19)));
        }

        return claimed;
    }

    /// <summary>The heartbeat: extends the leases of these claims; returns the ids still held (the others were taken over or finished).</summary>
    public async Task<IReadOnlySet<Guid>> ExtendLeasesAsync(IReadOnlyCollection<LeaseClaim> claims, TimeSpan lease, CancellationToken cancellationToken)
    {
        // The rows are locked in id order first, as every statement that updates a set of claimed rows does
        // (MarkSentManySql): a heartbeat and a group-committed mark of the same claim then never deadlock.
        await using var command = dataSource.CreateCommand("""
            WITH locked AS (
                SELECT m.id FROM messages m JOIN unnest(@ids, @tokens) AS c(id, token) ON m.id = c.id AND m.claim_token = c.token
                 WHERE m.status = 'queued'
                 ORDER BY m.id
                   FOR UPDATE OF m)
            UPDATE messages m SET lease_until = @lease_until
              FROM locked
             WHERE m.id = locked.id
            RETURNING m.id
            """);
        command.Parameters.AddWithValue("lease_until", time.GetUtcNow() + lease);
        command.Parameters.AddWithValue("ids", claims.Select(c => c.Id).ToArray());
        command.Parameters.AddWithValue("tokens", claims.Select(c => c.Token).ToArray());
        return await ReadIdsAsync(command, cancellationToken);
    }

    /// <summary>
    /// Marks the message sent (fenced on its claim); false when another claim took it over. Concurrent calls are
    /// group-committed (<see cref="SentGroupCommit"/>): one statement and one commit for all that queued up meanwhile,
    /// their attempt rows (<paramref name="attempt"/>, when given) written by the same statement.
    /// </summary>
    public Task<bool> MarkSentAsync(LeaseClaim claim, AttemptRecord attempt, CancellationToken cancellationToken) =>
        _sentMarks.MarkAsync(new SentMark(claim, attempt.ProviderMessageId, attempt), cancellationToken);

    /// <summary>Marks the message sent with the provider's id for it, recording no attempt.</summary>
    public Task<bool> MarkSentAsync(LeaseClaim claim, string? providerMessageId, CancellationToken cancellationToken) =>
        _sentMarks.MarkAsync(new SentMark(claim, providerMessageId, null), cancellationToken);

    /// <summary>
    /// Marks many messages sent in one statement (a batch sender's accepted messages, e.g. SendGrid's 1,000 a request),
    /// with the attempt row of each that has one, written by the same statement; returns the ids this caller still held.
    /// The others were taken over meanwhile and are left alone (and get no attempt row from here).
    /// </summary>
    public async Task<IReadOnlySet<Guid>> MarkSentManyAsync(IReadOnlyCollection<SentMark> sent, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(MarkSentManySql);
        var now = time.GetUtcNow();
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("ids", sent.Select(s => s.Claim.Id).ToArray());
        command.Parameters.AddWithValue("tokens", sent.Select(s => s.Claim.Token).ToArray());
        AddSentAttempts(command.Parameters, sent, now);
        return await ReadIdsAsync(command, cancellationToken);
    }

    /// <summary>Dead-letters the message: <c>failed</c>, with <paramref name="error"/> as its reason and the time.</summary>
    public Task<bool> MarkFailedAsync(LeaseClaim claim, string error, CancellationToken cancellationToken) =>
        MarkFailedAsync(claim, error, attempt: null, cancellationToken);

    /// <summary>Dead-letters the message, recording <paramref name="attempt"/> (its last) in the same statement.</summary>
    public Task<bool> MarkFailedAsync(LeaseClaim claim, string error, AttemptRecord? attempt, CancellationToken cancellationToken) =>
        FinishAsync(claim, MessageStatus.Failed, providerMessageId: null, error, attempt, cancellationToken);

    public Task<bool> MarkCancelledAsync(LeaseClaim claim, string reason, CancellationToken cancellationToken) =>
        FinishAsync(claim, MessageStatus.Cancelled, providerMessageId: null, reason, attempt: null, cancellationToken);

    /// <summary>Puts a message back in the queue for another attempt at <paramref name="retryAt"/>.</summary>
    public Task<bool> RetryLaterAsync(LeaseClaim claim, DateTimeOffset retryAt, string error, CancellationToken cancellationToken) =>
        RetryLaterAsync(claim, retryAt, error, attempt: null, cancellationToken);

    /// <summary>Puts a message back in the queue for another attempt, recording the one that failed in the same statement.</summary>
    public async Task<bool> RetryLaterAsync(
        LeaseClaim claim, DateTimeOffset retryAt, string error, AttemptRecord? attempt, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            WITH done AS (
                UPDATE messages SET due_at = @retry_at, last_error = @error, provider = COALESCE(@a_provider, provider),
                       lease_owner = NULL, lease_until = NULL, claim_token = NULL
                 WHERE {Fence}
                RETURNING {DoneColumns})
            {RecordOneAttempt}
            """);
        AddClaim(command.Parameters, claim);
        command.Parameters.AddWithValue("retry_at", retryAt);
        command.Parameters.AddWithValue("error", Truncate(error));
        AddAttempt(command.Parameters, attempt, time.GetUtcNow());
        return await ExecuteFencedAsync(command, cancellationToken);
    }

    /// <summary>
    /// Puts a message back in the queue without counting the attempt its claim took (a token bucket or an open
    /// circuit breaker held it: not a failure). <paramref name="reason"/>, when given, becomes its <c>last_error</c>.
    /// </summary>
    public async Task<bool> HoldAsync(LeaseClaim claim, DateTimeOffset until, string? reason, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            UPDATE messages SET due_at = @until, attempts = GREATEST(attempts - 1, 0), last_error = COALESCE(@reason, last_error),
                   lease_owner = NULL, lease_until = NULL, claim_token = NULL
             WHERE {Fence}
            """);
        AddClaim(command.Parameters, claim);
        command.Parameters.AddWithValue("until", until);
        command.Parameters.AddWithValue("reason", (object?)(reason is null ? null : Truncate(reason)) ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// When an idle sender of <paramref name="channel"/> must look again: the earliest due time of a message nobody
    /// holds, or the earliest end of a lease another worker holds (two probes of partial indexes).
    /// </summary>
    public async Task<DateTimeOffset?> NextDueAsync(string channel, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT LEAST(
                (SELECT min(due_at) FROM messages WHERE status = 'queued' AND channel = @channel AND lease_until IS NULL),
                (SELECT min(lease_until) FROM messages WHERE status = 'queued' AND channel = @channel AND lease_until IS NOT NULL))
            """);
        command.Parameters.AddWithValue("channel", channel);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DateTime dt ? new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)) : null;
    }

    private async Task<bool> FinishAsync(
        LeaseClaim claim, string status, string? providerMessageId, string? error, AttemptRecord? attempt, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            WITH done AS (
                UPDATE messages SET status = @status, provider_message_id = COALESCE(@provider_id, provider_message_id),
                       last_error = COALESCE(@error, last_error), provider = COALESCE(@a_provider, provider),
                       sent_at = CASE WHEN @status = 'sent' THEN @now ELSE sent_at END,
                       failed_at = CASE WHEN @status = 'failed' THEN @now ELSE failed_at END,
                       lease_owner = NULL, lease_until = NULL, claim_token = NULL
                 WHERE {Fence}
                RETURNING {DoneColumns})
            {RecordOneAttempt}
            """);
        AddClaim(command.Parameters, claim);
        command.Parameters.AddWithValue("status", status);
        command.Parameters.AddWithValue("provider_id", (object?)providerMessageId ?? DBNull.Value);
        command.Parameters.AddWithValue("error", (object?)(error is null ? null : Truncate(error)) ?? DBNull.Value);
        AddAttempt(command.Parameters, attempt, time.GetUtcNow());
        return await ExecuteFencedAsync(command, cancellationToken);
    }

    private static void AddClaim(NpgsqlParameterCollection parameters, LeaseClaim claim)
    {
        parameters.AddWithValue("id", claim.Id);
        parameters.AddWithValue("token", claim.Token);
    }

    private static async Task<IReadOnlySet<Guid>> ReadIdsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var ids = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    private static string Truncate(string value) => value.Length > 2000 ? value[..2000] : value;
}
