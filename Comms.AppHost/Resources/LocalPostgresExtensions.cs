using System.Security.Cryptography;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Comms.AppHost.Resources;

public static class LocalPostgresExtensions
{
    private const string ServiceUser = "postgres";

    /// <summary>
    /// Adds PostgreSQL with its data in <paramref name="dataDirectory"/> (kept between runs), listening on
    /// 127.0.0.1:<paramref name="port"/>. A one-shot <c>{name}-init</c> resource creates the cluster the first time;
    /// the server runs as the postgres OS user through <c>setpriv</c>, which execs, so the orchestrator's stop
    /// signal reaches postgres itself and it shuts down cleanly even when the app host is killed.
    /// </summary>
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, string dataDirectory, int port)
    {
        var bin = FindBinaries();
        var data = Path.Combine(dataDirectory, "postgres");
        var passwordFile = Path.Combine(dataDirectory, "postgres.password");
        var secret = ReadOrCreatePassword(passwordFile); // before the init resource reads it
        var password = builder.AddParameter($"{name}-password", () => secret, secret: true);

        var init = builder.AddExecutable($"{name}-init", "bash", dataDirectory,
            Path.Combine(AppContext.BaseDirectory, "Resources", "postgres-init.sh"), data, passwordFile, bin);

        var (command, prefix) = Environment.IsPrivilegedProcess
            ? ("/usr/bin/setpriv", new[] { $"--reuid={ServiceUser}", $"--regid={ServiceUser}", "--init-groups", "--", Path.Combine(bin, "postgres") })
            : (Path.Combine(bin, "postgres"), Array.Empty<string>());
        var server = new LocalPostgresResource(name, command, dataDirectory, password.Resource);

        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, ct => CanQueryAsync(server, "postgres", ct));
        builder.Eventing.Subscribe<ResourceReadyEvent>(server, async (ready, ct) =>
        {
            await CreateDatabasesAsync(server, ct);
            // A database is not a process: it runs once it exists, and then its own health check takes over.
            var notifications = ready.Services.GetRequiredService<ResourceNotificationService>();
            foreach (var database in builder.Resources.OfType<LocalPostgresDatabaseResource>().Where(d => d.Parent == server))
            {
                await notifications.PublishUpdateAsync(database, s => s with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow });
            }
        });

        var postgresPort = AppHostSettings.Invariant(port);
        var postgres = builder.AddResource(server);
        init.WithParentRelationship(postgres);
        return postgres
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: LocalPostgresResource.EndpointName, isProxied: false)
            .WithArgs([
                .. prefix, "-D", data, "-p", postgresPort, "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
                // Four services with Npgsql pools (100 each by default) plus tools: the default of 100 is too few.
                "-c", "max_connections=500",
            ])
            .WithHealthCheck(healthCheck)
            .WaitForCompletion(init);
    }

    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<LocalPostgresResource> server, string name, string? databaseName = null)
    {
        databaseName ??= name;
        server.Resource.Databases[name] = databaseName;
        var database = new LocalPostgresDatabaseResource(name, databaseName, server.Resource);
        var healthCheck = $"{name}_check";
        server.ApplicationBuilder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, ct => CanQueryAsync(server.Resource, databaseName, ct));
        return server.ApplicationBuilder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot { ResourceType = "PostgresDatabase", State = KnownResourceStates.NotStarted, Properties = [] })
            .WithHealthCheck(healthCheck);
    }

    private static async Task<HealthCheckResult> CanQueryAsync(LocalPostgresResource server, string database, CancellationToken cancellationToken)
    {
        try
        {
            var connectionString = await server.ConnectionStringExpression.GetValueAsync(cancellationToken);
            await using var connection = new NpgsqlConnection($"{connectionString};Database={database};Pooling=false;Timeout=3");
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL does not answer on database '{database}' yet.", ex);
        }
    }

    /// <summary>Creates the server's databases that do not exist yet, as <c>AddPostgres().AddDatabase()</c> does.</summary>
    private static async Task CreateDatabasesAsync(LocalPostgresResource server, CancellationToken cancellationToken)
    {
        var connectionString = await server.ConnectionStringExpression.GetValueAsync(cancellationToken);
        await using var connection = new NpgsqlConnection($"{connectionString};Database=postgres;Pooling=false");
        await connection.OpenAsync(cancellationToken);
        foreach (var database in server.Databases.Values)
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
            exists.Parameters.AddWithValue("name", database);
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                var quoted = new NpgsqlCommandBuilder().QuoteIdentifier(database);
                await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    private static string FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [];
        return candidates.OrderDescending().Select(version => Path.Combine(version, "bin"))
                   .FirstOrDefault(bin => File.Exists(Path.Combine(bin, "postgres")))
               ?? throw new DistributedApplicationException(
                   "The PostgreSQL server binaries are missing (/usr/lib/postgresql/*/bin/postgres): apt-get install postgresql, " +
                   "or point the app host at an existing server with ConnectionStrings__commsdb.");
    }

    /// <summary>The superuser password of the local cluster: made once, kept beside the data (owner-only).</summary>
    private static string ReadOrCreatePassword(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        var password = RandomNumberGenerator.GetString("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 32);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options))
        {
            writer.Write(password);
        }

        return password;
    }
}
