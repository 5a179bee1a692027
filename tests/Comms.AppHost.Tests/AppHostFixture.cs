using Microsoft.Extensions.Logging;

namespace Comms.AppHost.Tests;

/// <summary>
/// The real app host (Comms.AppHost's Program, with every resource) started once through
/// <c>Aspire.Hosting.Testing</c>: dashboard off, every port free, its data in a throwaway folder.
/// </summary>
public sealed class AppHostFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartDeadline = TimeSpan.FromMinutes(4);

    private readonly string _data = Path.Combine("/var/tmp", "comms-apphost-test-" + Guid.NewGuid().ToString("N")[..8]);

    public DistributedApplication App { get; private set; } = null!;

    public static string[] Arguments(string dataDirectory) =>
    [
        $"--Comms:AppHost:DataDirectory={dataDirectory}",
        .. new[] { "postgres", "redis", "mail_smtp", "mail_http", "api", "web", "dispatcher" }.Select(p => $"--Comms:AppHost:Ports:{p}=0"),
    ];

    public async Task InitializeAsync()
    {
        using var deadline = new CancellationTokenSource(StartDeadline);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Comms_AppHost>(
            Arguments(_data), (options, _) => options.DisableDashboard = true, deadline.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        App = await builder.BuildAsync(deadline.Token);
        await App.StartAsync(deadline.Token);
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }

        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort.
        }
    }
}
