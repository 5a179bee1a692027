using Npgsql;

namespace Comms.Core.Audit;

/// <summary>What the audit page filters on: the actor and target exactly, the action exactly or by prefix (<c>sys.</c>).</summary>
public sealed record AuditFilter(string? Actor, string? Action, string? Target, string? Tenant, long? Before);

/// <summary>
/// Reads the append-only audit log (the console's audit page), newest first, a page at a time (keyset on the row id). An operator
/// with tenant grants sees only the rows of their tenants — never platform rows or another tenant's.
/// </summary>
public sealed class AuditBrowser(NpgsqlDataSource dataSource)
{
    public const int PageSize = 50;

    public async Task<IReadOnlyList<AuditRecord>> PageAsync(AuditFilter filter, IReadOnlyList<string>? tenants, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT id, tenant_id, actor, action, target, metadata::text, created_at FROM audit_log
             WHERE (@all OR tenant_id = ANY(@tenants))
               AND (@actor::text IS NULL OR actor = @actor)
               AND (@action::text IS NULL OR action = @action OR (right(@action, 1) = '.' AND starts_with(action, @action)))
               AND (@target::text IS NULL OR target = @target)
               AND (@tenant::text IS NULL OR tenant_id = @tenant)
               AND (@before::bigint IS NULL OR id < @before)
             ORDER BY id DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("all", tenants is null);
        command.Parameters.AddWithValue("tenants", (tenants ?? []).ToArray());
        command.Parameters.AddWithValue("actor", (object?)Blank(filter.Actor) ?? DBNull.Value);
        command.Parameters.AddWithValue("action", (object?)Blank(filter.Action) ?? DBNull.Value);
        command.Parameters.AddWithValue("target", (object?)Blank(filter.Target) ?? DBNull.Value);
        command.Parameters.AddWithValue("tenant", (object?)Blank(filter.Tenant) ?? DBNull.Value);
        command.Parameters.AddWithValue("before", (object?)filter.Before ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", PageSize);
        var rows = new List<AuditRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new AuditRecord
            {
                Id = reader.GetInt64(0), TenantId = reader.IsDBNull(1) ? null : reader.GetString(1), Actor = reader.GetString(2),
                Action = reader.GetString(3), Target = reader.GetString(4), Metadata = reader.IsDBNull(5) ? null : reader.GetString(5),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(6),
            });
        }

        return rows;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
