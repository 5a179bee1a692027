using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Comms.Bench.Recipients;

/// <summary>
/// The floor the bulk sync is held against: the same rows (another external-id prefix) written by one binary
/// <c>COPY</c> into <c>recipients</c> of the same tenant, same table and indexes, no checks, no upsert, no HTTP.
/// </summary>
internal static class CopyBaseline
{
    public static async Task RunAsync(BulkBenchOptions options)
    {
        var now = DateTimeOffset.UtcNow;
        var ids = Enumerable.Range(0, options.Recipients).Select(_ => Guid.CreateVersion7(now)).ToArray();
        await using var connection = new NpgsqlConnection(options.Db);
        await connection.OpenAsync();
        var clock = Stopwatch.StartNew();
        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY recipients (id, tenant_id, external_id, name, email, phone, locale, time_zone, roles, attributes, quiet_hours_enabled,
                             quiet_hours_start, quiet_hours_end, quiet_hours_exceptions, dm_muted_channels, created_at, updated_at)
            FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var n = 0; n < options.Recipients; n++)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(ids[n], NpgsqlDbType.Uuid);
                await copy.WriteAsync(options.Tenant, NpgsqlDbType.Varchar);
                await copy.WriteAsync(Rows.ExternalId(options.Prefix, n), NpgsqlDbType.Varchar);
                await copy.WriteAsync(Rows.Name(n), NpgsqlDbType.Text);
                await copy.WriteAsync(Rows.Email(n), NpgsqlDbType.Varchar);
                await copy.WriteAsync(Rows.Phone(n), NpgsqlDbType.Varchar);
                await copy.WriteAsync(Rows.Locale(n), NpgsqlDbType.Varchar);
                await copy.WriteAsync(Rows.Zone(n), NpgsqlDbType.Varchar);
                await copy.WriteAsync(Rows.Roles(n), NpgsqlDbType.Array | NpgsqlDbType.Text);
                await copy.WriteAsync(Rows.Attributes(n), NpgsqlDbType.Jsonb);
                await copy.WriteAsync(true, NpgsqlDbType.Boolean);
                await copy.WriteAsync(new TimeOnly(21, 0), NpgsqlDbType.Time);
                await copy.WriteAsync(new TimeOnly(8, 0), NpgsqlDbType.Time);
                await copy.WriteAsync(Array.Empty<string>(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                await copy.WriteAsync(Array.Empty<string>(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
            }

            await copy.CompleteAsync();
        }

        clock.Stop();
        var rate = options.Recipients / clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| bare binary COPY into recipients (same rows, one connection) | {options.Recipients:N0} | 1 COPY | {clock.Elapsed.TotalSeconds:F2} | **{rate:N0}** | – | inserted {options.Recipients:N0} |"));
        await options.SaveAsync(rate);
    }
}
