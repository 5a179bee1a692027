using System.Diagnostics;
using Comms.IntegrationTests.Infrastructure;
using Npgsql;

namespace Comms.IntegrationTests.Pipeline;

/// <summary>
/// <c>Comms.Api migrate</c> — the app host's migrator — against a server that has no such database yet
/// (an existing server given by connection string): it creates the database, migrates it and seeds it.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class MigrateCommandTests(CommsFixture fixture)
{
    [Fact]
    public async Task The_migrator_creates_a_missing_database_then_migrates_and_seeds_it()
    {
        var database = "fresh_" + Guid.NewGuid().ToString("N")[..8];
        var api = Path.Combine(AppContext.BaseDirectory, "Comms.Api.dll");
        var start = new ProcessStartInfo("dotnet", [api, "migrate"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ConnectionStrings__commsdb"] = fixture.Postgres.ConnectionString(database);
        start.Environment["ConnectionStrings__redis"] = fixture.Redis.ConnectionString;
        start.Environment["Comms__Auth__SecretEncryptionKey"] = CommsFixture.SecretEncryptionKey;
        start.Environment["Comms__Seed__UserTokenSigningKey"] = "migrate-test-signing-secret-0123456789abcdef";
        using var migrator = Process.Start(start)!;
        var output = migrator.StandardOutput.ReadToEndAsync();
        var errors = migrator.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await migrator.WaitForExitAsync(deadline.Token);
        Assert.True(migrator.ExitCode == 0, $"migrate exited with {migrator.ExitCode}:\n{await output}\n{await errors}");

        await using var connection = new NpgsqlConnection(fixture.Postgres.ConnectionString(database));
        await connection.OpenAsync();
        await using var tenants = new NpgsqlCommand("SELECT count(*) FROM tenants WHERE id = 'demo'", connection);
        Assert.Equal(1L, await tenants.ExecuteScalarAsync());
    }
}
