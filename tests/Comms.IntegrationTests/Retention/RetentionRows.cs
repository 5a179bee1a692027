using Comms.IntegrationTests.Infrastructure;
using Npgsql;

namespace Comms.IntegrationTests.Retention;

/// <summary>Delivery records written straight into the database at a chosen time (a message, its render, attempt, decision, inbox item).</summary>
internal static class RetentionRows
{
    /// <summary>Writes one message (through the idempotency trigger, so it gets its key) with its render, an attempt, decision and inbox item.</summary>
    public static async Task<Guid> AddAsync(CommsFixture fixture, string tenantId, DateTimeOffset at, string status = "sent")
    {
        var id = Guid.NewGuid();
        await using var batch = fixture.DataSource.CreateBatch();
        void Add(string sql)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue("id", id);
            command.Parameters.AddWithValue("tenant", tenantId);
            command.Parameters.AddWithValue("at", at);
            command.Parameters.AddWithValue("status", status);
            batch.BatchCommands.Add(command);
        }

        Add("""
            INSERT INTO messages (id, tenant_id, recipient_id, channel, category, template_name, template_version, cause_ref, status,
                                  due_at, attempts, created_at)
            VALUES (@id, @tenant, @id, 'in_app', 'news', 'old.news', 1, 'cause:' || @id::text, @status, @at, 0, @at)
            """);
        Add("INSERT INTO message_renders (message_id, tenant_id, content, created_at) VALUES (@id, @tenant, '{}', @at)");
        Add("""
            INSERT INTO message_attempts (message_id, tenant_id, created_at, attempt, provider, outcome, started_at, finished_at)
            VALUES (@id, @tenant, @at, 1, 'inapp', 'sent', @at, @at)
            """);
        Add("""
            INSERT INTO decisions (tenant_id, event_id, recipient_id, recipient_external_id, channel, outcome, message_id, created_at)
            VALUES (@tenant, @id, @id, 'ann', 'in_app', 'queued', @id, @at)
            """);
        Add("""
            INSERT INTO inbox_items (id, tenant_id, recipient_id, message_id, category, title, body, body_html, created_at)
            VALUES (@id, @tenant, @id, @id, 'news', 'Old news', '', '', @at)
            """);
        await batch.ExecuteNonQueryAsync();
        return id;
    }

    /// <summary>How many rows of the message are left in each table, in the order messages, renders, decisions, inbox items, keys, attempts.</summary>
    public static async Task<int[]> LeftAsync(CommsFixture fixture, Guid id)
    {
        await using var command = fixture.DataSource.CreateCommand("""
            SELECT (SELECT count(*) FROM messages WHERE id = @id)::int, (SELECT count(*) FROM message_renders WHERE message_id = @id)::int,
                   (SELECT count(*) FROM decisions WHERE message_id = @id)::int, (SELECT count(*) FROM inbox_items WHERE message_id = @id)::int,
                   (SELECT count(*) FROM message_keys WHERE message_id = @id)::int, (SELECT count(*) FROM message_attempts WHERE message_id = @id)::int
            """);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return [reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5)];
    }

    public static readonly int[] All = [1, 1, 1, 1, 1, 1];
    public static readonly int[] None = [0, 0, 0, 0, 0, 0];

    /// <summary>A queued message kept with its render, key and attempts, its decision and inbox item gone.</summary>
    public static readonly int[] MessageKept = [1, 1, 0, 0, 1, 1];

    /// <summary>The partition a row of <paramref name="table"/> sits in (by the row's key column).</summary>
    public static async Task<string?> PartitionOfAsync(CommsFixture fixture, string table, string keyColumn, Guid key)
    {
        await using var command = fixture.DataSource.CreateCommand($"SELECT tableoid::regclass::text FROM {table} WHERE {keyColumn} = @key LIMIT 1");
        command.Parameters.AddWithValue("key", key);
        return (string?)await command.ExecuteScalarAsync();
    }

    public static async Task<T> ScalarAsync<T>(CommsFixture fixture, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = fixture.DataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    public static string Month(DateTimeOffset at) => $"p{at.UtcDateTime:yyyy_MM}";
}
