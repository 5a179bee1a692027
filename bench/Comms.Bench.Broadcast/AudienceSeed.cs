using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Comms.Bench.Broadcast;

/// <summary>
/// The audience: N recipients of the tenant written by one binary COPY, each inside quiet hours for the next 22 hours,
/// so the broadcast's email is routed into a queued message row (deferred to the end of the quiet hours) and the
/// benchmark measures the expansion alone — no SMTP sending competes for the two cores.
/// </summary>
internal static class AudienceSeed
{
    public static async Task RunAsync(BroadcastBenchOptions options)
    {
        var clock = Stopwatch.StartNew();
        await SeedAsync(options.Db, options.Tenant, options.Recipients, "bc");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Seeded {options.Recipients:N0} recipients in {clock.Elapsed.TotalSeconds:F1} s."));
    }

    /// <summary>Copies <paramref name="count"/> recipients into the tenant, external ids <c>{prefix}-0000000</c> on.</summary>
    public static async Task SeedAsync(string db, string tenant, int count, string prefix)
    {
        var now = DateTimeOffset.UtcNow;
        var start = TimeOnly.FromDateTime(now.UtcDateTime.AddHours(-1));
        var end = TimeOnly.FromDateTime(now.UtcDateTime.AddHours(21));
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY recipients (id, tenant_id, external_id, name, email, locale, time_zone, roles, attributes, quiet_hours_enabled,
                             quiet_hours_start, quiet_hours_end, quiet_hours_exceptions, dm_muted_channels, created_at, updated_at)
            FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var n = 0; n < count; n++)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(Guid.CreateVersion7(now), NpgsqlDbType.Uuid);
                await copy.WriteAsync(tenant, NpgsqlDbType.Varchar);
                await copy.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{prefix}-{n:D7}"), NpgsqlDbType.Varchar);
                await copy.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"User {n}"), NpgsqlDbType.Text);
                await copy.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{prefix}-{n:D7}@bench.example.test"), NpgsqlDbType.Varchar);
                await copy.WriteAsync("en-US", NpgsqlDbType.Varchar);
                await copy.WriteAsync("UTC", NpgsqlDbType.Varchar);
                await copy.WriteAsync(new[] { "member" }, NpgsqlDbType.Array | NpgsqlDbType.Text);
                await copy.WriteAsync("{\"plan\":\"pro\"}", NpgsqlDbType.Jsonb);
                await copy.WriteAsync(true, NpgsqlDbType.Boolean);
                await copy.WriteAsync(start, NpgsqlDbType.Time);
                await copy.WriteAsync(end, NpgsqlDbType.Time);
                await copy.WriteAsync(Array.Empty<string>(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                await copy.WriteAsync(Array.Empty<string>(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
            }

            await copy.CompleteAsync();
        }

        await using (var analyze = new NpgsqlCommand("ANALYZE recipients", connection))
        {
            await analyze.ExecuteNonQueryAsync();
        }
    }
}
