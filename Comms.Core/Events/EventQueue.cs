using Comms.Core.Queueing;
using Npgsql;
using NpgsqlTypes;

namespace Comms.Core.Events;

/// <summary>
/// The routing queue over the <c>events</c> table (its SQL lives here): due pending events are claimed with
/// <c>FOR UPDATE SKIP LOCKED</c>, a lease and a random <c>claim_token</c>, so several dispatchers never route the
/// same event at once, an event whose dispatcher died is claimed again when its lease runs out, and every
/// later write is fenced on the token — a dispatcher whose lease was taken over writes nothing.
/// </summary>
public sealed class EventQueue(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const string ClaimSql = """
        UPDATE events e
           SET lease_owner = @owner, lease_until = @lease_until, attempts = e.attempts + 1, claim_token = gen_random_uuid()
         WHERE e.id IN (
               SELECT id FROM events
                WHERE status = 'pending' AND due_at <= @now
                  AND (lease_until IS NULL OR lease_until < @now)
                ORDER BY due_at, id
                LIMIT @limit
                FOR UPDATE SKIP LOCKED)
        RETURNING e.id, e.tenant_id, e.name, e.category, e.priority, e.cause_ref, e.actor, e.payload::text,
                  e.locale, e.accept_language, e.recipients, e.audience::text, e.send_at, e.due_at,
                  e.attempts, e.routing_cursor, e.trace_parent, e.created_at, e.claim_token
        """;

    public async Task<IReadOnlyList<EventRecord>> ClaimAsync(string owner, int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand(ClaimSql);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("lease_until", now + lease);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("limit", limit);

        return await ReadAsync(command, owner, cancellationToken);
    }

    private const string Columns = """
        e.id, e.tenant_id, e.name, e.category, e.priority, e.cause_ref, e.actor, e.payload::text,
        e.locale, e.accept_language, e.recipients, e.audience::text, e.send_at, e.due_at,
        e.attempts, e.routing_cursor, e.trace_parent, e.created_at, e.claim_token
        """;

    /// <summary>
    /// Claims due events by their row locks alone, within <paramref name="transaction"/>: <c>SELECT … FOR UPDATE SKIP
    /// LOCKED</c>, no lease written. Until that transaction ends no other dispatcher can claim, lease or change these
    /// rows (their locks are skipped), and if this dispatcher dies its connection closes, the transaction rolls back and the
    /// events are claimable again — the lease and the fence of the routing write are the transaction itself. Complete
    /// them with <see cref="CompleteLockedCommand"/> in the same transaction; anything not routed in it goes back to the
    /// leased path (<see cref="ClaimByIdsAsync"/>) after it ends.
    /// </summary>
    /// <remarks>
    /// A dispatcher that stalls (paused, hung) while it holds the locks must not hold them for ever: the transaction sets
    /// <c>idle_in_transaction_session_timeout</c> to <paramref name="lease"/>, so PostgreSQL ends its session after that
    /// long without a statement — the locks are released, the events claimable by others, and the stalled dispatcher's
    /// later write fails with its session (fenced) — the same bound a lease gives.
    /// </remarks>
    public async Task<LockedEvents> LockDueAsync(string owner, int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var timeout = new NpgsqlCommand("SELECT set_config('idle_in_transaction_session_timeout', @ms, true)", connection, transaction))
            {
                timeout.Parameters.AddWithValue("ms", ((long)Math.Ceiling(lease.TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
                await timeout.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var command = new NpgsqlCommand($"""
                SELECT {Columns}
                  FROM events e
                 WHERE e.status = 'pending' AND e.due_at <= @now AND (e.lease_until IS NULL OR e.lease_until < @now)
                 ORDER BY e.due_at, e.id
                 LIMIT @limit
                 FOR UPDATE SKIP LOCKED
                """, connection, transaction);
            command.Parameters.AddWithValue("now", now);
            command.Parameters.AddWithValue("limit", limit);
            // Attempts as a claim counts them (the completion adds the one this routing is).
            var events = await ReadAsync(command, owner, cancellationToken);
            foreach (var ev in events)
            {
                ev.Attempts++;
            }

            return new LockedEvents(connection, transaction, events);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Leases these events (those still pending, due and free) as <see cref="ClaimAsync"/> does: the leased path for events a locked claim did not route.</summary>
    public async Task<IReadOnlyList<EventRecord>> ClaimByIdsAsync(IReadOnlyCollection<Guid> ids, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand($"""
            UPDATE events e
               SET lease_owner = @owner, lease_until = @lease_until, attempts = e.attempts + 1, claim_token = gen_random_uuid()
             WHERE e.id IN (
                   SELECT id FROM events
                    WHERE id = ANY(@ids) AND status = 'pending' AND due_at <= @now AND (lease_until IS NULL OR lease_until < @now)
                    FOR UPDATE SKIP LOCKED)
            RETURNING {Columns}
            """);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("lease_until", now + lease);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        return await ReadAsync(command, owner, cancellationToken);
    }

    /// <summary>Marks events routed that this transaction holds by their row locks (<see cref="LockDueAsync"/>), counting the attempt.</summary>
    internal static NpgsqlBatchCommand CompleteLockedCommand(IReadOnlyCollection<Guid> ids, DateTimeOffset now)
    {
        var command = new NpgsqlBatchCommand("""
            UPDATE events SET status = 'routed', routed_at = @now, attempts = attempts + 1,
                   lease_owner = NULL, lease_until = NULL, claim_token = NULL
             WHERE id = ANY(@ids) AND status = 'pending'
            """);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        command.Parameters.AddWithValue("now", now);
        return command;
    }

    private static async Task<IReadOnlyList<EventRecord>> ReadAsync(NpgsqlCommand command, string owner, CancellationToken cancellationToken)
    {
        var claimed = new List<EventRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new EventRecord
            {
                Id = reader.GetGuid(0),
                TenantId = reader.GetString(1),
                Name = reader.GetString(2),
                Category = reader.GetString(3),
                Priority = reader.GetString(4),
                CauseRef = reader.GetString(5),
                Actor = reader.IsDBNull(6) ? null : reader.GetString(6),
                Payload = reader.GetString(7),
                Locale = reader.IsDBNull(8) ? null : reader.GetString(8),
                AcceptLanguage = reader.IsDBNull(9) ? null : reader.GetString(9),
                Recipients = reader.IsDBNull(10) ? null : reader.GetFieldValue<string[]>(10),
                Audience = reader.IsDBNull(11) ? null : reader.GetString(11),
                SendAt = reader.IsDBNull(12) ? null : reader.GetFieldValue<DateTimeOffset>(12),
                DueAt = reader.GetFieldValue<DateTimeOffset>(13),
                Attempts = reader.GetInt32(14),
                RoutingCursor = reader.IsDBNull(15) ? null : reader.GetGuid(15),
                TraceParent = reader.IsDBNull(16) ? null : reader.GetString(16),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(17),
                ClaimToken = reader.IsDBNull(18) ? null : reader.GetGuid(18),
                LeaseOwner = owner,
            });
        }

        return claimed;
    }

    /// <summary>The heartbeat: extends the leases of these claims; returns the ids still held.</summary>
    public async Task<IReadOnlySet<Guid>> ExtendLeasesAsync(IReadOnlyCollection<LeaseClaim> claims, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE events e SET lease_until = @lease_until
              FROM unnest(@ids, @tokens) AS c(id, token)
             WHERE e.id = c.id AND e.claim_token = c.token AND e.status = 'pending'
            RETURNING e.id
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

    /// <summary>Marks an event routed (only while this claim still holds it); false when the lease was lost.</summary>
    public async Task<bool> CompleteAsync(LeaseClaim claim, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(CompleteCommand([claim], time.GetUtcNow()));
        return await batch.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Gives the event back for a later attempt, or dead-letters it (<c>failed</c>, <c>failed_at</c>, the error as its
    /// reason); false when the lease was lost meanwhile.
    /// </summary>
    public async Task<bool> ReleaseAsync(LeaseClaim claim, string error, DateTimeOffset retryAt, bool giveUp, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE events SET status = CASE WHEN @give_up THEN 'failed' ELSE status END,
                   failed_at = CASE WHEN @give_up THEN @now ELSE failed_at END,
                   due_at = @retry_at, error = @error, lease_owner = NULL, lease_until = NULL, claim_token = NULL
             WHERE id = @id AND claim_token = @token AND status = 'pending'
            """);
        command.Parameters.AddWithValue("id", claim.Id);
        command.Parameters.AddWithValue("token", claim.Token);
        command.Parameters.AddWithValue("give_up", giveUp);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        command.Parameters.AddWithValue("retry_at", retryAt);
        command.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = error.Length > 2000 ? error[..2000] : error });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Marks events routed within a routing transaction — only those these claims still hold (compare the rows affected).</summary>
    internal static NpgsqlBatchCommand CompleteCommand(IReadOnlyCollection<LeaseClaim> claims, DateTimeOffset now)
    {
        var command = new NpgsqlBatchCommand("""
            UPDATE events e SET status = 'routed', routed_at = @now, lease_owner = NULL, lease_until = NULL, claim_token = NULL
              FROM unnest(@ids, @tokens) AS c(id, token)
             WHERE e.id = c.id AND e.claim_token = c.token AND e.status = 'pending'
            """);
        command.Parameters.AddWithValue("ids", claims.Select(c => c.Id).ToArray());
        command.Parameters.AddWithValue("tokens", claims.Select(c => c.Token).ToArray());
        command.Parameters.AddWithValue("now", now);
        return command;
    }

    /// <summary>
    /// Advances the routing cursor from <paramref name="previous"/> to <paramref name="cursor"/>, or marks the event routed,
    /// within a routing transaction — only while the claim holds and the cursor is still where this chunk began, so a chunk
    /// never commits before the chunks ahead of it.
    /// </summary>
    internal static NpgsqlBatchCommand AdvanceCommand(LeaseClaim claim, Guid? previous, Guid? cursor, bool last, DateTimeOffset now)
    {
        var command = new NpgsqlBatchCommand("""
            UPDATE events SET routing_cursor = @cursor,
                   status = CASE WHEN @last THEN 'routed' ELSE status END,
                   routed_at = CASE WHEN @last THEN @now ELSE routed_at END,
                   lease_owner = CASE WHEN @last THEN NULL ELSE lease_owner END,
                   lease_until = CASE WHEN @last THEN NULL ELSE lease_until END,
                   claim_token = CASE WHEN @last THEN NULL ELSE claim_token END
             WHERE id = @id AND claim_token = @token AND status = 'pending' AND routing_cursor IS NOT DISTINCT FROM @previous
            """);
        command.Parameters.AddWithValue("id", claim.Id);
        command.Parameters.AddWithValue("token", claim.Token);
        command.Parameters.Add(new NpgsqlParameter("previous", NpgsqlDbType.Uuid) { Value = (object?)previous ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("cursor", NpgsqlDbType.Uuid) { Value = (object?)cursor ?? DBNull.Value });
        command.Parameters.AddWithValue("last", last);
        command.Parameters.AddWithValue("now", now);
        return command;
    }

    /// <summary>
    /// When an idle router must look again: the earliest due time of a pending event nobody holds, or the earliest
    /// end of a lease another router holds (two probes of partial indexes).
    /// </summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT LEAST(
                (SELECT min(due_at) FROM events WHERE status = 'pending' AND lease_until IS NULL),
                (SELECT min(lease_until) FROM events WHERE status = 'pending' AND lease_until IS NOT NULL))
            """);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DateTime dt ? new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)) : null;
    }
}
