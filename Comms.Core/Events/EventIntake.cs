using Comms.Core.Queueing;
using Npgsql;
using NpgsqlTypes;

namespace Comms.Core.Events;

/// <summary>The answer intake gives to a request that carried an Idempotency-Key.</summary>
public sealed record IdempotentRequest(string Key, string RequestHash, int StatusCode, string ResponseBody);

public abstract record IntakeOutcome
{
    /// <summary>The events were stored (and the response recorded under the key, if any).</summary>
    public sealed record Stored : IntakeOutcome;

    /// <summary>The key was seen before: this is the first request's response.</summary>
    public sealed record Replayed(int StatusCode, string ResponseBody) : IntakeOutcome;

    /// <summary>The key was seen before with a different request body.</summary>
    public sealed record KeyReused : IntakeOutcome;
}

/// <summary>
/// Stores accepted events and, in the same transaction, the Idempotency-Key record. A concurrent
/// repeat of the key blocks on the unique index until the first transaction commits, then reads its
/// response — so a repeat returns the first response even while the first is still in flight.
/// </summary>
public sealed class EventIntake(NpgsqlDataSource dataSource, WakeUps wakeUps, TimeProvider time)
{
    public static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);

    public async Task<IntakeOutcome> StoreAsync(
        string tenantId, IReadOnlyList<EventRecord> events, IdempotentRequest? idempotency, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        if (idempotency is not null && !await ClaimKeyAsync(connection, transaction, tenantId, idempotency, now, cancellationToken))
        {
            await transaction.RollbackAsync(cancellationToken);
            return await ReadFirstResponseAsync(tenantId, idempotency, cancellationToken);
        }

        await InsertEventsAsync(connection, transaction, events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await wakeUps.PublishAsync(WakeUps.Events);
        return new IntakeOutcome.Stored();
    }

    private static async Task<bool> ClaimKeyAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId, IdempotentRequest request,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        // An expired record is replaced; a live one makes this return no row.
        await using var command = new NpgsqlCommand("""
            INSERT INTO idempotency_keys AS k (tenant_id, key, request_hash, status_code, response_body, created_at, expires_at)
            VALUES (@tenant, @key, @hash, @status, @body::jsonb, @now, @expires)
            ON CONFLICT (tenant_id, key) DO UPDATE
               SET request_hash = EXCLUDED.request_hash, status_code = EXCLUDED.status_code,
                   response_body = EXCLUDED.response_body, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
             WHERE k.expires_at <= @now
            RETURNING 1
            """, connection, transaction);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("key", request.Key);
        command.Parameters.AddWithValue("hash", request.RequestHash);
        command.Parameters.AddWithValue("status", request.StatusCode);
        command.Parameters.AddWithValue("body", request.ResponseBody);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("expires", now + IdempotencyWindow);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private async Task<IntakeOutcome> ReadFirstResponseAsync(string tenantId, IdempotentRequest request, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT request_hash, status_code, response_body::text FROM idempotency_keys WHERE tenant_id = @tenant AND key = @key");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("key", request.Key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException("The idempotency record vanished between conflict and read.");
        }

        return reader.GetString(0) == request.RequestHash
            ? new IntakeOutcome.Replayed(reader.GetInt32(1), reader.GetString(2))
            : new IntakeOutcome.KeyReused();
    }

    private static async Task InsertEventsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<EventRecord> events, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO events (id, tenant_id, name, category, priority, cause_ref, actor, payload, locale, accept_language,
                                recipients, audience, send_at, due_at, status, attempts, trace_parent, created_at)
            SELECT u.id, u.tenant_id, u.name, u.category, u.priority, u.cause_ref, u.actor, u.payload::jsonb, u.locale,
                   u.accept_language, CASE WHEN u.recipients IS NULL THEN NULL ELSE string_to_array(u.recipients, chr(31)) END,
                   u.audience::jsonb, u.send_at, u.due_at, 'pending', 0, u.trace_parent, u.created_at
              FROM unnest(@ids, @tenants, @names, @categories, @priorities, @causes, @actors, @payloads, @locales,
                          @accept_languages, @recipients, @audiences, @send_at, @due_at, @traces, @created_at)
                AS u(id, tenant_id, name, category, priority, cause_ref, actor, payload, locale, accept_language,
                     recipients, audience, send_at, due_at, trace_parent, created_at)
            """, connection, transaction);
        command.Parameters.AddWithValue("ids", events.Select(e => e.Id).ToArray());
        command.Parameters.AddWithValue("tenants", events.Select(e => e.TenantId).ToArray());
        command.Parameters.AddWithValue("names", events.Select(e => e.Name).ToArray());
        command.Parameters.AddWithValue("categories", events.Select(e => e.Category).ToArray());
        command.Parameters.AddWithValue("priorities", events.Select(e => e.Priority).ToArray());
        command.Parameters.AddWithValue("causes", events.Select(e => e.CauseRef).ToArray());
        command.Parameters.Add(Text("actors", events.Select(e => e.Actor)));
        command.Parameters.AddWithValue("payloads", events.Select(e => e.Payload).ToArray());
        command.Parameters.Add(Text("locales", events.Select(e => e.Locale)));
        command.Parameters.Add(Text("accept_languages", events.Select(e => e.AcceptLanguage)));
        // text[][] cannot be ragged, so each recipient list travels as one unit-separator-joined string.
        command.Parameters.Add(Text("recipients", events.Select(e => e.Recipients is null ? null : string.Join('\u001f', e.Recipients))));
        command.Parameters.Add(Text("audiences", events.Select(e => e.Audience)));
        command.Parameters.Add(Timestamps("send_at", events.Select(e => e.SendAt)));
        command.Parameters.Add(Timestamps("due_at", events.Select(e => (DateTimeOffset?)e.DueAt)));
        command.Parameters.Add(Text("traces", events.Select(e => e.TraceParent)));
        command.Parameters.Add(Timestamps("created_at", events.Select(e => (DateTimeOffset?)e.CreatedAt)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter Text(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() };

    private static NpgsqlParameter Timestamps(string name, IEnumerable<DateTimeOffset?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = values.Select(v => v?.UtcDateTime).ToArray() };
}
