using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit.Abstractions;

namespace Comms.Hosting.Tests;

/// <summary>The app model with real PostgreSQL, Redis and MailDev, driven in-process.</summary>
public sealed class AppModelInfrastructureTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestOutputLoggerProvider _logs = new(output);
    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(90));

    [Fact]
    public async Task Infrastructure_starts_is_injected_into_processes_and_is_stopped_completely()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("comms-apphost-data-");
        File.SetUnixFileMode(dataDirectory.FullName, (UnixFileMode)0b111_101_101); // 0755: no /var/tmp fallback needed
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(_logs));
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = [$"--Comms:AppHost:DataDirectory={dataDirectory.FullName}"],
            LoggerFactory = loggerFactory,
            Output = new OutputSink(TextWriter.Null),
        });
        var postgres = builder.AddPostgres("postgres");
        var db = postgres.AddDatabase("commsdb");
        var redis = builder.AddRedis("redis");
        var mail = builder.AddMailDev("mail");
        builder.AddExecutable("printer", "/bin/sh", ".", "-c",
                "echo \"DB=$ConnectionStrings__commsdb\"; echo \"REDIS=$ConnectionStrings__redis\"; echo \"MAIL=$ConnectionStrings__mail\"")
            .WithReference(db).WithReference(redis).WithReference(mail)
            .WaitFor(db).WaitFor(redis).WaitFor(mail);

        var app = builder.Build();
        int[] pids;
        try
        {
            await app.StartAsync(_deadline.Token);
            Assert.Equal(0, await app.WaitForCompletionAsync("printer", _deadline.Token));
            pids = [postgres.Resource.Server!.Pid, redis.Resource.Server!.Pid, mail.Resource.Server!.Pid];
            Assert.All(pids, pid => Assert.True(ProcessProbe.IsAlive(pid)));

            var connectionString = app.GetConnectionString("commsdb");
            Assert.Contains($"[printer] DB={connectionString}", _logs.Lines);
            Assert.Contains($"[printer] REDIS=127.0.0.1:{redis.Resource.Port}", _logs.Lines);
            Assert.Contains($"[printer] MAIL=smtp://127.0.0.1:{mail.Resource.SmtpPort}", _logs.Lines);
            Assert.Equal(new Uri($"http://127.0.0.1:{mail.Resource.HttpPort}"), app.GetEndpoint("mail"));

            await using (var connection = new NpgsqlConnection(
                             new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString))
            {
                await connection.OpenAsync(_deadline.Token);
                Assert.Equal("commsdb", connection.Database);
            }

            var password = File.ReadAllText(Path.Combine(dataDirectory.FullName, "postgres.password")).Trim();
            Assert.Contains(_logs.Lines, line => line.StartsWith("[apphost]   commsdb", StringComparison.Ordinal));
            Assert.DoesNotContain(_logs.Lines, line => line.StartsWith("[apphost]", StringComparison.Ordinal) && line.Contains(password, StringComparison.Ordinal));
        }
        finally
        {
            await app.DisposeAsync();
        }

        Assert.All(pids, pid => Assert.False(ProcessProbe.IsAlive(pid), $"pid {pid} is still alive"));
        Assert.True(File.Exists(Path.Combine(dataDirectory.FullName, "postgres", "PG_VERSION")), "the dev cluster is kept");
        dataDirectory.Delete(recursive: true);
    }

    public void Dispose() => _deadline.Dispose();
}
