using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Comms.TestServers;

/// <summary>
/// A throwaway PostgreSQL 15 cluster (Debian's binaries) on a free port, run as the postgres user when
/// the tests run as root, tuned for tests (no fsync).
/// </summary>
public sealed class PostgresServer : ServerProcess
{
    private const string ServiceUser = "postgres";

    private PostgresServer(string directory, string bin) : base(directory)
    {
        Bin = bin;
        Port = FreePort();
    }

    public int Port { get; }

    private string Bin { get; }

    private string DataDirectory => Path.Combine(Directory, "data");

    public static async Task<PostgresServer> StartNewAsync(CancellationToken cancellationToken = default)
    {
        var bin = System.IO.Directory.GetDirectories("/usr/lib/postgresql").OrderDescending()
            .Select(version => Path.Combine(version, "bin")).FirstOrDefault(b => File.Exists(Path.Combine(b, "postgres")))
            ?? throw new InvalidOperationException("PostgreSQL server binaries are missing (apt-get install postgresql).");
        var server = new PostgresServer(NewDirectory("comms-test-pg"), bin);
        await server.InitializeAsync(cancellationToken);
        await server.StartAsync(cancellationToken);
        return server;
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Include Error Detail=true";

    public async Task CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected override int StopSignal => Native.SIGINT; // a fast shutdown

    protected override (string File, IEnumerable<string> Arguments) Command() => AsServiceUser(Path.Combine(Bin, "postgres"),
    [
        "-D", DataDirectory, "-p", Port.ToString(CultureInfo.InvariantCulture), "-c", "listen_addresses=127.0.0.1",
        "-c", "unix_socket_directories=", "-c", "max_connections=300",
        "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
    ]);

    protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Timeout=2;Pooling=false");
            await connection.OpenAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return false;
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (Native.IsRoot)
        {
            Native.GiveTo(Directory, ServiceUser);
        }

        var (file, arguments) = AsServiceUser(Path.Combine(Bin, "initdb"),
            ["-D", DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
        using var initdb = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Directory,
        })!;
        var output = initdb.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = initdb.StandardError.ReadToEndAsync(cancellationToken);
        await initdb.WaitForExitAsync(cancellationToken);
        if (initdb.ExitCode != 0)
        {
            throw new InvalidOperationException($"initdb failed ({initdb.ExitCode}): {await output}{await errors}");
        }
    }

    /// <summary>PostgreSQL refuses to run as root: setpriv runs it as the postgres user (and execs, so signals reach it).</summary>
    private static (string File, IEnumerable<string> Arguments) AsServiceUser(string binary, IEnumerable<string> arguments) =>
        Native.IsRoot
            ? ("/usr/bin/setpriv", [$"--reuid={ServiceUser}", $"--regid={ServiceUser}", "--init-groups", "--", binary, .. arguments])
            : (binary, arguments);
}
