using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Comms.Hosting;

/// <summary>
/// A PostgreSQL server run in the foreground as our child process (TCP on 127.0.0.1 only, no unix socket).
/// Dispose stops it with a fast shutdown (SIGINT), falling back to SIGKILL.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string Username = "postgres";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly ChildProcess _process;
    private readonly PostgresServerOptions _options;
    private readonly ILogger _logger;
    private int _disposed;

    private PostgresServer(ChildProcess process, PostgresServerOptions options, int port, string dataDirectory, string password, ILogger logger)
    {
        _process = process;
        _options = options;
        Port = port;
        DataDirectory = dataDirectory;
        Password = password;
        _logger = logger;
    }

    public int Port { get; }

    /// <summary>PID of the postmaster itself (setpriv execs in place).</summary>
    public int Pid => _process.Pid;

    /// <summary>The data directory actually used (may be the /var/tmp/comms fallback).</summary>
    public string DataDirectory { get; }

    public string Password { get; }

    /// <summary>Completes with the exit code when the postmaster exits.</summary>
    public Task<int> Exited => _process.Exited;

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
            var port = options.Port == 0 ? PortAllocator.GetFreeTcpPort() : options.Port;
            PortAllocator.EnsureFree(port, options.Name);
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
            try
            {
                await server.WaitUntilReadyAsync(cancellationToken);
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }

            ProcessLog.Ready(logger, "postgres", server.Pid, port);
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
            PostgresLog.DatabaseCreated(_logger, name);
        }
    }

    /// <summary>Fast shutdown (SIGINT), SIGKILL after <see cref="PostgresServerOptions.ShutdownTimeout"/>.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!await _process.StopAsync(Signals.SIGINT, _options.ShutdownTimeout, cancellationToken))
        {
            ProcessLog.Killed(_logger, "postgres", Pid, _options.ShutdownTimeout);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await StopAsync();
        }
        finally
        {
            await _process.DisposeAsync();
            if (_options.Ephemeral)
            {
                TryDeleteDirectory(DataDirectory);
                PostgresLog.DataDirectoryDeleted(_logger, DataDirectory);
            }
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var probe = new NpgsqlConnectionStringBuilder(GetConnectionString()) { Pooling = false, Timeout = 3 }.ConnectionString;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL exited with code {await _process.Exited} during startup. Last output:{Environment.NewLine}{_process.FormatOutputTail()}");
            }

            try
            {
                await using var connection = new NpgsqlConnection(probe);
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidPassword)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL in '{DataDirectory}' rejected the password (the password file does not match the cluster).", ex);
            }
            catch (NpgsqlException) when (clock.Elapsed < _options.StartupTimeout)
            {
                // Not accepting connections yet ("starting up", connection refused): poll again.
            }
            catch (NpgsqlException ex)
            {
                throw new TimeoutException(
                    $"PostgreSQL did not accept connections on 127.0.0.1:{Port} within {_options.StartupTimeout.TotalSeconds:0} s. " +
                    $"Last output:{Environment.NewLine}{_process.FormatOutputTail()}", ex);
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
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
