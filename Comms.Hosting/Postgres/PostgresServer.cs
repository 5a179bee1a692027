using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Comms.Hosting;

/// <summary>
/// A PostgreSQL server run in the foreground as our child process (TCP on 127.0.0.1 only, no unix socket); its
/// <see cref="LocalServer.Pid"/> is the postmaster's own (setpriv execs in place). Stop and dispose use a fast
/// shutdown (SIGINT), falling back to SIGKILL after <see cref="PostgresServerOptions.ShutdownTimeout"/>.
/// </summary>
public sealed class PostgresServer : LocalServer
{
    public const string Username = "postgres";

    private PostgresServer(ChildProcess process, PostgresServerOptions options, int port, string dataDirectory, string password, ILogger logger)
        : base(process, new LocalServerProfile(
            Program: "postgres", DisplayName: "PostgreSQL", Readiness: $"accept connections on 127.0.0.1:{port}",
            Signals.SIGINT, options.StartupTimeout, options.ShutdownTimeout, OwnedDirectory: options.Ephemeral ? dataDirectory : null), logger)
    {
        Port = port;
        DataDirectory = dataDirectory;
        Password = password;
    }

    public int Port { get; }

    /// <summary>The data directory actually used (may be the /var/tmp/comms fallback).</summary>
    public string DataDirectory { get; }

    public string Password { get; }

    /// <summary>Initializes the cluster if needed, starts postgres and waits until it accepts connections.</summary>
    public static async Task<PostgresServer> StartAsync(
        PostgresServerOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        logger ??= NullLogger.Instance;
        var bin = PostgresSetup.ResolveBinDirectory(options.BinDirectory);
        var password = PostgresSetup.ResolvePassword(options, logger);
        var dataDirectory = await PostgresSetup.PrepareDataDirectoryAsync(options.DataDirectory, logger, cancellationToken);
        try
        {
            if (!PostgresSetup.ClusterExists(dataDirectory))
            {
                await PostgresSetup.InitializeClusterAsync(bin, dataDirectory, password, logger, cancellationToken);
            }

            PostgresSetup.RemoveStalePidFile(dataDirectory, logger);
            var port = ReservePort(options.Port, options.Name);
            List<string> arguments =
            [
                "-D", dataDirectory, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
                // Three services with Npgsql pools (100 each by default) plus tools: the default 100 is too few.
                "-c", "max_connections=" + options.MaxConnections.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ];
            if (options.Ephemeral)
            {
                arguments.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
            }

            var process = ChildProcess.Start(
                PostgresSetup.BinaryCommand(Path.Combine(bin, "postgres"), arguments), ProcessLog.Forward(logger));
            var server = new PostgresServer(process, options, port, dataDirectory, password, logger);
            await server.WaitUntilReadyAsync(port, cancellationToken);
            return server;
        }
        catch when (options.Ephemeral)
        {
            TryDeleteDirectory(dataDirectory);
            throw;
        }
    }

    /// <summary>Npgsql connection string for <paramref name="database"/> (user postgres, with password).</summary>
    public string GetConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = Username,
            Password = Password,
            Database = database,
        }.ConnectionString;

    /// <summary>CREATE DATABASE if it does not exist yet (idempotent).</summary>
    public async Task EnsureDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        if (await PostgresDatabase.CreateIfMissingAsync(GetConnectionString(), name, cancellationToken))
        {
            PostgresLog.DatabaseCreated(Logger, name);
        }
    }

    private protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        var probe = new NpgsqlConnectionStringBuilder(GetConnectionString()) { Pooling = false, Timeout = 3 }.ConnectionString;
        try
        {
            await using var connection = new NpgsqlConnection(probe);
            await connection.OpenAsync(cancellationToken);
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidPassword)
        {
            throw new InvalidOperationException(
                $"PostgreSQL in '{DataDirectory}' rejected the password (the password file does not match the cluster).", ex);
        }
        catch (NpgsqlException ex)
        {
            // Not accepting connections yet ("starting up", connection refused): poll again.
            ProbeFailure = ex;
            return false;
        }
    }

    /// <summary>The data directory of an ephemeral server, and its /var/tmp/comms fallback folder once empty.</summary>
    private protected override void DeleteOwnedDirectory(string directory)
    {
        TryDeleteDirectory(directory);
        PostgresLog.DataDirectoryDeleted(Logger, directory);
    }

    private static void TryDeleteDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            // A /var/tmp/comms/<hash>/ fallback folder is ours too; remove it once empty.
            var parent = Path.GetDirectoryName(directory);
            if (parent is not null && parent.StartsWith(PostgresSetup.FallbackRoot + "/", StringComparison.Ordinal)
                && Directory.Exists(parent) && !Directory.EnumerateFileSystemEntries(parent).Any())
            {
                Directory.Delete(parent);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
