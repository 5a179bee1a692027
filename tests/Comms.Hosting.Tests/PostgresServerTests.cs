using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit.Abstractions;

namespace Comms.Hosting.Tests;

public sealed class PostgresServerTests(ITestOutputHelper output) : IDisposable
{
    private readonly ILoggerFactory _loggers = TestOutputLoggerProvider.CreateFactory(output);
    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(90));

    [Fact]
    public async Task Ephemeral_server_creates_database_idempotently_and_leaves_nothing_behind()
    {
        var root = Directory.CreateTempSubdirectory("comms-pg-test-");
        File.SetUnixFileMode(root.FullName, (UnixFileMode)0b111_101_101); // 0755: reachable for the postgres user
        try
        {
            var requested = Path.Combine(root.FullName, "data");
            int pid;
            string dataDirectory;
            await using (var server = await PostgresServer.StartAsync(
                             new PostgresServerOptions { DataDirectory = requested, Ephemeral = true },
                             _loggers.CreateLogger("postgres"),
                             _deadline.Token))
            {
                pid = server.Pid;
                dataDirectory = server.DataDirectory;
                Assert.Equal(requested, dataDirectory);
                Assert.True(ProcessProbe.IsAlive(pid));
                Assert.Equal("postgres", ProcessProbe.Command(pid));
                Assert.Equal(pid.ToString(), File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First());

                await server.EnsureDatabaseAsync("t1", _deadline.Token);
                await server.EnsureDatabaseAsync("t1", _deadline.Token);

                var connectionString = new NpgsqlConnectionStringBuilder(server.GetConnectionString("t1")) { Pooling = false }.ConnectionString;
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(_deadline.Token);
                await using var command = new NpgsqlCommand("SELECT 1, current_database()", connection);
                await using var reader = await command.ExecuteReaderAsync(_deadline.Token);
                Assert.True(await reader.ReadAsync(_deadline.Token));
                Assert.Equal(1, reader.GetInt32(0));
                Assert.Equal("t1", reader.GetString(1));
            }

            Assert.False(ProcessProbe.IsAlive(pid), $"postgres pid {pid} is still alive");
            Assert.False(Directory.Exists(dataDirectory), "ephemeral data directory was not deleted");
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Persistent_server_keeps_cluster_and_password_and_survives_a_stale_pid_file()
    {
        var root = Directory.CreateTempSubdirectory("comms-pg-test-"); // 0700: as root this exercises the fallback
        string? dataDirectory = null;
        try
        {
            var options = new PostgresServerOptions { DataDirectory = Path.Combine(root.FullName, "pg"), Name = "pg" };
            await using (var first = await PostgresServer.StartAsync(options, _loggers.CreateLogger("pg-1"), _deadline.Token))
            {
                dataDirectory = first.DataDirectory;
                await first.EnsureDatabaseAsync("kept", _deadline.Token);
            }

            var passwordFile = Path.Combine(root.FullName, "pg.password");
            Assert.True(File.Exists(passwordFile));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(passwordFile));
            Assert.True(File.Exists(Path.Combine(dataDirectory, "PG_VERSION")), "cluster was not kept");

            // A crashed run leaves postmaster.pid behind with a pid that no longer exists.
            File.WriteAllText(Path.Combine(dataDirectory, "postmaster.pid"), "999999\n");
            await using var second = await PostgresServer.StartAsync(options, _loggers.CreateLogger("pg-2"), _deadline.Token);
            Assert.Equal(dataDirectory, second.DataDirectory);
            Assert.Equal(File.ReadAllText(passwordFile).Trim(), second.Password);

            await using var connection = new NpgsqlConnection(
                new NpgsqlConnectionStringBuilder(second.GetConnectionString("kept")) { Pooling = false }.ConnectionString);
            await connection.OpenAsync(_deadline.Token);
        }
        finally
        {
            root.Delete(recursive: true);
            if (dataDirectory is not null && Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
                var fallbackParent = Path.GetDirectoryName(dataDirectory)!;
                if (fallbackParent.StartsWith("/var/tmp/comms/", StringComparison.Ordinal))
                {
                    Directory.Delete(fallbackParent, recursive: true);
                }
            }
        }
    }

    public void Dispose()
    {
        _loggers.Dispose();
        _deadline.Dispose();
    }
}
