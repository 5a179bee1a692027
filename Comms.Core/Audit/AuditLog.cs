using System.Text.Json;
using Comms.Core.Data;
using Npgsql;

namespace Comms.Core.Audit;

/// <summary>
/// Appends to the audit log, either within the caller's transaction (so the action and its record commit or roll back
/// together) or alone. Rows are never changed afterwards (a trigger refuses it).
/// </summary>
public sealed class AuditLog(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const string InsertSql = """
        INSERT INTO audit_log (tenant_id, actor, action, target, metadata, created_at)
        VALUES (@tenant, @actor, @action, @target, @metadata::jsonb, @now)
        """;

    /// <summary>The actor name of an API key.</summary>
    public static string ApiKeyActor(Guid apiKeyId) => "api-key:" + apiKeyId;

    /// <summary>Adds the record to <paramref name="db"/>: it is written by the caller's <c>SaveChanges</c> (and its transaction).</summary>
    public AuditRecord Add(CommsDbContext db, string? tenantId, string actor, string action, string target, object? metadata = null)
    {
        var record = new AuditRecord
        {
            TenantId = tenantId, Actor = actor, Action = action, Target = target, Metadata = Serialize(metadata), CreatedAt = time.GetUtcNow(),
        };
        db.AuditLog.Add(record);
        return record;
    }

    /// <summary>Appends within a caller's open connection and transaction (raw SQL callers).</summary>
    public async Task AppendAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string? tenantId, string actor, string action, string target, object? metadata,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(InsertSql, connection, transaction);
        Bind(command.Parameters, tenantId, actor, action, target, metadata);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Appends alone (its own statement, committed at once).</summary>
    public async Task AppendAsync(string? tenantId, string actor, string action, string target, object? metadata, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(InsertSql);
        Bind(command.Parameters, tenantId, actor, action, target, metadata);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private void Bind(NpgsqlParameterCollection parameters, string? tenantId, string actor, string action, string target, object? metadata)
    {
        parameters.AddWithValue("tenant", (object?)tenantId ?? DBNull.Value);
        parameters.AddWithValue("actor", actor);
        parameters.AddWithValue("action", action);
        parameters.AddWithValue("target", target);
        parameters.AddWithValue("metadata", (object?)Serialize(metadata) ?? DBNull.Value);
        parameters.AddWithValue("now", time.GetUtcNow());
    }

    private static string? Serialize(object? metadata) =>
        metadata is null ? null : JsonSerializer.Serialize(metadata, JsonSerializerOptions.Web);
}
