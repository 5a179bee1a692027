using Npgsql;
using NpgsqlTypes;

namespace Comms.Core.Events;

/// <summary>Writes one group-commit batch: idempotency records, then the events of the requests that own their key.</summary>
internal static class IntakeBatch
{
    /// <param name="commit">False rolls the transaction back instead (the warm-up: the whole path runs, nothing stays).</param>
    public static async Task WriteAsync(
        NpgsqlDataSource dataSource, List<PendingWrite> batch, DateTimeOffset now, CancellationToken cancellationToken, bool commit = true)
    {
        // Within a batch the first request of a key leads; repeats of it follow the leader's fate.
        var leaders = batch.Where(w => w.Idempotency is not null)
            .GroupBy(w => (w.TenantId, w.Idempotency!.Key))
            .ToDictionary(g => g.Key, g => g.First());

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var claimed = leaders.Count == 0
            ? []
            : await ClaimKeysAsync(connection, transaction, [.. leaders.Values], now, cancellationToken);

        var storing = batch.Where(w => w.Idempotency is null || (claimed.Contains((w.TenantId, w.Idempotency.Key)) && leaders[(w.TenantId, w.Idempotency.Key)] == w)).ToList();
        var events = storing.SelectMany(w => w.Events).ToList();
        if (events.Count > 0)
        {
            await InsertEventsAsync(connection, transaction, events, cancellationToken);
        }

        if (!commit)
        {
            await transaction.RollbackAsync(cancellationToken);
            return;
        }

        await transaction.CommitAsync(cancellationToken);

        foreach (var write in storing)
        {
            write.Completion.TrySetResult(new IntakeOutcome.Stored());
        }

        foreach (var write in batch.Where(w => !storing.Contains(w)))
        {
            var key = (write.TenantId, write.Idempotency!.Key);
            var first = claimed.Contains(key)
                ? (leaders[key].Idempotency!.RequestHash, leaders[key].Idempotency!.StatusCode, leaders[key].Idempotency!.ResponseBody)
                : await ReadFirstAsync(dataSource, write.TenantId, write.Idempotency.Key, cancellationToken);
            write.Completion.TrySetResult(first.RequestHash == write.Idempotency.RequestHash
                ? new IntakeOutcome.Replayed(first.StatusCode, first.ResponseBody)
                : new IntakeOutcome.KeyReused());
        }
    }

    private static async Task<HashSet<(string, string)>> ClaimKeysAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<PendingWrite> leaders, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // An expired record is replaced; a live one (or one still in flight elsewhere, which this waits for) returns no row.
        await using var command = new NpgsqlCommand("""
            INSERT INTO idempotency_keys AS k (tenant_id, key, request_hash, status_code, response_body, created_at, expires_at)
            SELECT u.tenant, u.key, u.hash, u.status, u.body::jsonb, @now, @expires
              FROM unnest(@tenants, @keys, @hashes, @statuses, @bodies) AS u(tenant, key, hash, status, body)
            ON CONFLICT (tenant_id, key) DO UPDATE
               SET request_hash = EXCLUDED.request_hash, status_code = EXCLUDED.status_code,
                   response_body = EXCLUDED.response_body, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
             WHERE k.expires_at <= @now
            RETURNING k.tenant_id, k.key
            """, connection, transaction);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("expires", now + EventIntake.IdempotencyWindow);
        command.Parameters.AddWithValue("tenants", leaders.Select(w => w.TenantId).ToArray());
        command.Parameters.AddWithValue("keys", leaders.Select(w => w.Idempotency!.Key).ToArray());
        command.Parameters.AddWithValue("hashes", leaders.Select(w => w.Idempotency!.RequestHash).ToArray());
        command.Parameters.AddWithValue("statuses", leaders.Select(w => w.Idempotency!.StatusCode).ToArray());
        command.Parameters.AddWithValue("bodies", leaders.Select(w => w.Idempotency!.ResponseBody).ToArray());
        var claimed = new HashSet<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add((reader.GetString(0), reader.GetString(1)));
        }

        return claimed;
    }

    private static async Task<(string RequestHash, int StatusCode, string ResponseBody)> ReadFirstAsync(
        NpgsqlDataSource dataSource, string tenantId, string key, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT request_hash, status_code, response_body::text FROM idempotency_keys WHERE tenant_id = @tenant AND key = @key");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException($"The idempotency record '{key}' vanished between conflict and read.");
        }

        return (reader.GetString(0), reader.GetInt32(1), reader.GetString(2));
    }

    internal static async Task InsertEventsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<EventRecord> events, CancellationToken cancellationToken)
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
