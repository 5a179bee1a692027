using Comms.AppHost.Resources;

namespace Comms.AppHost.Tests;

/// <summary>What the app host gives each service, read from its model without starting anything.</summary>
public sealed class AppModelTests : IDisposable
{
    private readonly List<string> _directories = [];

    /// <summary>A data folder of this test's own (the model writes a few files into it), removed after the test.</summary>
    private string DataDirectory()
    {
        var directory = Path.Combine("/var/tmp", "comms-model-test-" + Guid.NewGuid().ToString("N")[..8]);
        _directories.Add(directory);
        return directory;
    }

    public void Dispose()
    {
        foreach (var directory in _directories.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Existing_servers_given_by_connection_string_replace_the_local_ones_and_Comms_settings_reach_every_service()
    {
        Environment.SetEnvironmentVariable("Comms__Dispatcher__MaxAttempts", "7");
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Comms_AppHost>(
            [
                "--ConnectionStrings:commsdb=Host=db.example.internal;Database=comms;Username=comms;Password=secret",
                "--ConnectionStrings:redis=redis.example.internal:6379",
                "--ConnectionStrings:mail=smtp://mail.example.internal:25",
            ], deadline.Token);
            await using var app = await builder.BuildAsync(deadline.Token);
            var model = app.Services.GetRequiredService<DistributedApplicationModel>();

            Assert.DoesNotContain(model.Resources, r => r is LocalPostgresResource or LocalRedisResource or MailDevResource || r.Name == "postgres-init");
            foreach (var service in new[] { "api", "dispatcher", "web" })
            {
                var project = model.Resources.OfType<ProjectResource>().Single(r => r.Name == service);
#pragma warning disable CS0618 // The simple reader is enough here; ExecutionConfigurationBuilder needs a running app's context.
                var environment = await project.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Run);
#pragma warning restore CS0618
                Assert.Equal("7", environment["Comms__Dispatcher__MaxAttempts"]);
                Assert.Equal("Host=db.example.internal;Database=comms;Username=comms;Password=secret", environment["ConnectionStrings__commsdb"]);
                Assert.Equal("redis.example.internal:6379", environment["ConnectionStrings__redis"]);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("Comms__Dispatcher__MaxAttempts", null);
        }
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(2, "1")]
    public async Task Dispatcher_replicas_on_this_machine_share_one_replicas_routing_loops(int replicas, string? loops)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Comms_AppHost>(
            [.. AppHostFixture.Arguments(DataDirectory()),
             $"--Comms:AppHost:DispatcherReplicas={replicas}"],
            deadline.Token);
        await using var app = await builder.BuildAsync(deadline.Token);
        var dispatcher = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ProjectResource>().Single(r => r.Name == "dispatcher");
#pragma warning disable CS0618 // The simple reader is enough here; ExecutionConfigurationBuilder needs a running app's context.
        var environment = await dispatcher.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Run);
#pragma warning restore CS0618
        Assert.Equal(loops, environment.GetValueOrDefault("Comms__Dispatcher__RoutingLoops"));
    }

    [Fact]
    public async Task Without_the_dashboard_the_services_export_no_telemetry_to_where_it_would_have_listened()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Comms_AppHost>(
            [.. AppHostFixture.Arguments(DataDirectory()), "--Comms:AppHost:Dashboard=false"],
            deadline.Token);
        await using var app = await builder.BuildAsync(deadline.Token);
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();

        foreach (var service in new[] { "api", "dispatcher", "web" })
        {
            var project = model.Resources.OfType<ProjectResource>().Single(r => r.Name == service);
#pragma warning disable CS0618 // The simple reader is enough here; ExecutionConfigurationBuilder needs a running app's context.
            var environment = await project.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Run);
#pragma warning restore CS0618
            Assert.False(environment.ContainsKey("OTEL_EXPORTER_OTLP_ENDPOINT"), $"{service} exports to {environment.GetValueOrDefault("OTEL_EXPORTER_OTLP_ENDPOINT")}");
        }
    }

    [Fact]
    public async Task By_default_the_app_host_runs_postgres_redis_and_mail_itself_and_two_dispatchers()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Comms_AppHost>(
            AppHostFixture.Arguments(DataDirectory()), deadline.Token);
        await using var app = await builder.BuildAsync(deadline.Token);
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();

        Assert.Single(model.Resources.OfType<LocalPostgresResource>(), r => r.Name == "postgres");
        Assert.Single(model.Resources.OfType<LocalPostgresDatabaseResource>(), r => r.Name == "commsdb" && r.Parent.Name == "postgres");
        Assert.Single(model.Resources.OfType<LocalRedisResource>(), r => r.Name == "redis");
        Assert.Single(model.Resources.OfType<MailDevResource>(), r => r.Name == "mail");
        Assert.Single(model.Resources.OfType<ExecutableResource>(), r => r.Name == "postgres-init");
        Assert.Equal(2, model.Resources.OfType<ProjectResource>().Single(r => r.Name == "dispatcher").GetReplicaCount());
    }
}
