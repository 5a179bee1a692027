using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Comms.Hosting.Tests;

public sealed class AppModelTests(ITestOutputHelper output) : IDisposable
{
    private readonly ConcurrentQueue<string> _events = new();
    private readonly TestOutputLoggerProvider _logs = new(output);
    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(30));
    private ILoggerFactory? _loggerFactory;

    [Fact]
    public async Task Resources_start_after_their_waits_and_stop_in_reverse_order()
    {
        var builder = CreateBuilder();
        var db = builder.AddResource(new FakeResource("db", _events) { HealthDelay = TimeSpan.FromMilliseconds(100) });
        var cache = builder.AddResource(new FakeResource("cache", _events));
        var migrator = builder.AddResource(new FakeResource("migrator", _events) { ExitCodeAfterStart = 0 }).WaitFor(db);
        var api = builder.AddResource(new FakeResource("api", _events)).WaitFor(db).WaitFor(cache).WaitForCompletion(migrator);
        builder.AddResource(new FakeResource("web", _events)).WaitFor(api);

        await using var app = builder.Build();
        await app.StartAsync(_deadline.Token);

        AssertBefore("healthy:db", "start:migrator");
        AssertBefore("exit:migrator", "start:api");
        AssertBefore("healthy:cache", "start:api");
        AssertBefore("healthy:api", "start:web");
        Assert.Equal(0, await app.WaitForCompletionAsync("migrator", _deadline.Token));

        await app.StopAsync(_deadline.Token);
        var starts = _events.Where(e => e.StartsWith("start:", StringComparison.Ordinal)).Select(e => e[6..]).ToList();
        var stops = _events.Where(e => e.StartsWith("stop:", StringComparison.Ordinal)).Select(e => e[5..]).ToList();
        starts.Reverse();
        Assert.Equal(starts, stops);
    }

    [Fact]
    public async Task Failed_completion_aborts_startup_and_stops_what_was_started()
    {
        var builder = CreateBuilder();
        var db = builder.AddResource(new FakeResource("db", _events));
        var migrator = builder.AddResource(new FakeResource("migrator", _events) { ExitCodeAfterStart = 3 }).WaitFor(db);
        builder.AddResource(new FakeResource("api", _events)).WaitFor(db).WaitForCompletion(migrator);

        await using var app = builder.Build();
        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync(_deadline.Token));

        Assert.Contains("migrator exited with code 3", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("start:api", _events);
        AssertBefore("stop:migrator", "stop:db");
    }

    [Fact]
    public async Task A_long_running_resource_that_crashes_during_startup_aborts_startup()
    {
        var builder = CreateBuilder();
        builder.AddResource(new FakeResource("cache", _events) { ExitCodeAfterStart = 1, HealthDelay = TimeSpan.FromSeconds(5) });
        builder.AddResource(new FakeResource("slow", _events) { HealthDelay = TimeSpan.FromSeconds(5) });

        await using var app = builder.Build();
        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync(_deadline.Token));

        Assert.Matches("cache exited .*with code 1", error.Message);
        Assert.Contains("stop:slow", _events);
        Assert.Contains("stop:cache", _events);
    }

    [Fact]
    public async Task Real_process_failing_before_a_waiter_reports_exit_code_and_output()
    {
        var builder = CreateBuilder();
        var job = builder.AddExecutable("job", "/bin/sh", ".", "-c", "echo migrating; exit 3");
        var service = builder.AddExecutable("svc", "/bin/sh", ".", "-c", "exec sleep 30").WaitForCompletion(job);

        await using var app = builder.Build();
        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync(_deadline.Token));

        Assert.Contains("job exited with code 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("migrating", error.Message, StringComparison.Ordinal);
        Assert.Null(service.Resource.Pid);
    }

    [Fact]
    public async Task Processes_get_connection_strings_service_urls_and_own_variables()
    {
        var builder = CreateBuilder();
        var port = PortAllocator.GetFreeTcpPort();
        builder.Configuration["Comms:AppHost:Ports:svc"] = port.ToString();
        var db = builder.AddResource(new FakeDatabase("fakedb", _events, "Host=fake;Database=x"));
        var service = builder.AddExecutable("svc", "/bin/sh", ".", "-c", "exec sleep 30").WithHttpEndpoint(1).WithHttpHealthCheck(null);
        builder.AddExecutable("printer", "/bin/sh", ".", "-c",
                "echo \"CS=$ConnectionStrings__fakedb\"; echo \"SVC=$services__svc__http__0\"; echo \"OTEL=$OTEL_SERVICE_NAME\"; echo \"X=$X\"")
            .WithReference(db).WithReference(service).WithEnvironment("X", "42").WaitFor(service);

        await using var app = builder.Build();
        await app.StartAsync(_deadline.Token);
        Assert.Equal(0, await app.WaitForCompletionAsync("printer", _deadline.Token));
        var servicePid = service.Resource.Pid!.Value;
        Assert.Equal(new Uri($"http://127.0.0.1:{port}"), app.GetEndpoint("svc"));
        await app.StopAsync(_deadline.Token);

        Assert.Contains("[printer] CS=Host=fake;Database=x", _logs.Lines);
        Assert.Contains($"[printer] SVC=http://127.0.0.1:{port}", _logs.Lines);
        Assert.Contains("[printer] OTEL=printer", _logs.Lines);
        Assert.Contains("[printer] X=42", _logs.Lines);
        Assert.False(ProcessProbe.IsAlive(servicePid));
    }

    [Fact]
    public async Task External_database_is_not_started_nor_is_its_unused_server()
    {
        var builder = CreateBuilder();
        builder.Configuration["ConnectionStrings:extdb"] = "Host=db.example;Database=extdb";
        var server = builder.AddPostgres("pg");
        server.AddDatabase("extdb");

        await using var app = builder.Build();
        await app.StartAsync(_deadline.Token);

        Assert.Equal("Host=db.example;Database=extdb", app.GetConnectionString("extdb"));
        Assert.NotNull(server.Resource.SkipReason);
        Assert.Null(server.Resource.Server);
    }

    [Fact]
    public void Wait_cycles_are_rejected_at_build_time()
    {
        var builder = CreateBuilder();
        var a = builder.AddResource(new FakeResource("a", _events));
        var b = builder.AddResource(new FakeResource("b", _events)).WaitFor(a);
        a.WaitFor(b);

        var error = Assert.Throws<DistributedApplicationException>(() => builder.Build());
        Assert.Contains("cycle", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Unbuilt_project_fails_before_anything_starts()
    {
        var folder = Directory.CreateTempSubdirectory("comms-apphost-test-");
        try
        {
            var csproj = Path.Combine(folder.FullName, "Missing.Api.csproj");
            await File.WriteAllTextAsync(csproj, "<Project />", _deadline.Token);
            var builder = CreateBuilder();
            var db = builder.AddResource(new FakeResource("db", _events));
            builder.AddProject("api", new ProjectMetadata(csproj)).WithHttpEndpoint().WaitFor(db);

            await using var app = builder.Build();
            var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync(_deadline.Token));

            Assert.Contains("Build first", error.Message, StringComparison.Ordinal);
            Assert.Contains("Missing.Api.dll", error.Message, StringComparison.Ordinal);
            Assert.Empty(_events);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    public void Dispose()
    {
        _loggerFactory?.Dispose();
        _deadline.Dispose();
    }

    private DistributedApplicationBuilder CreateBuilder()
    {
        _loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(_logs));
        return DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            LoggerFactory = _loggerFactory,
            Output = new OutputSink(TextWriter.Null),
        });
    }

    private void AssertBefore(string first, string second)
    {
        var events = _events.ToList();
        Assert.Contains(first, events);
        Assert.Contains(second, events);
        Assert.True(events.IndexOf(first) < events.IndexOf(second), $"expected {first} before {second}: {string.Join(", ", events)}");
    }
}
