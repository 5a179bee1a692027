using Npgsql;

namespace Comms.ReliabilityTests.Infrastructure;

/// <summary>
/// What a tenant has in the database, table by table: the row count and an MD5 of the rows' text, so that
/// "nothing changed" means no row was added, removed or altered. Tables are found from the schema (every
/// table with a <c>tenant_id</c> column, plus the tenant's own row), so a new table is covered by itself.
/// </summary>
public static class TenantRows
{
    public static async Task<IReadOnlyDictionary<string, string>> SnapshotAsync(NpgsqlDataSource dataSource, string tenantId)
    {
        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in await TenantTablesAsync(dataSource))
        {
            await using var command = dataSource.CreateCommand(
                $"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM \"{table}\" t WHERE tenant_id = @tenant");
            command.Parameters.AddWithValue("tenant", tenantId);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            snapshot[table] = $"{reader.GetInt64(0)} rows, md5 {reader.GetString(1)}";
        }

        await using (var tenant = dataSource.CreateCommand("SELECT coalesce(md5(t::text), 'none') FROM tenants t WHERE id = @tenant"))
        {
            tenant.Parameters.AddWithValue("tenant", tenantId);
            snapshot["tenants (own row)"] = (string)(await tenant.ExecuteScalarAsync() ?? "none");
        }

        return snapshot;
    }

    /// <summary>Row counts of every table (the hostile suite: a refused request stores nothing anywhere).</summary>
    public static async Task<IReadOnlyDictionary<string, long>> CountAllAsync(NpgsqlDataSource dataSource)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        await using var tables = dataSource.CreateCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_\\_%'");
        var names = new List<string>();
        await using (var reader = await tables.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }

        foreach (var name in names)
        {
            await using var count = dataSource.CreateCommand($"SELECT count(*) FROM \"{name}\"");
            counts[name] = (long)(await count.ExecuteScalarAsync())!;
        }

        return counts;
    }

    /// <summary>Every uuid of the tenant's rows (ids and references), as lower-case text.</summary>
    public static async Task<IReadOnlySet<string>> UuidsAsync(NpgsqlDataSource dataSource, string tenantId)
    {
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using var columns = dataSource.CreateCommand("""
            SELECT c.table_name, c.column_name FROM information_schema.columns c
            WHERE c.table_schema = 'public' AND c.data_type = 'uuid'
              AND EXISTS (SELECT 1 FROM information_schema.columns t
                          WHERE t.table_schema = 'public' AND t.table_name = c.table_name AND t.column_name = 'tenant_id')
            """);
        var pairs = new List<(string Table, string Column)>();
        await using (var reader = await columns.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                pairs.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var (table, column) in pairs)
        {
            await using var command = dataSource.CreateCommand($"SELECT DISTINCT \"{column}\"::text FROM \"{table}\" WHERE tenant_id = @tenant AND \"{column}\" IS NOT NULL");
            command.Parameters.AddWithValue("tenant", tenantId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetString(0));
            }
        }

        return ids;
    }

    /// <summary>The differences between two snapshots, one line per table.</summary>
    public static List<string> Differences<T>(IReadOnlyDictionary<string, T> before, IReadOnlyDictionary<string, T> after) =>
        before.Keys.Union(after.Keys)
            .Where(k => !Equals(before.GetValueOrDefault(k), after.GetValueOrDefault(k)))
            .Select(k => $"{k}: {before.GetValueOrDefault(k)} -> {after.GetValueOrDefault(k)}")
            .ToList();

    private static async Task<List<string>> TenantTablesAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name");
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }
}
