using Microsoft.Extensions.Hosting;

namespace Comms.AppHost;

/// <summary>
/// Once the services answer their health checks, prints where everything is and
/// <c>Comms is running. Press Ctrl+C to stop.</c> (what <c>./run.sh</c> users and the smoke tests wait for).
/// </summary>
internal sealed class RunningBanner(ResourceNotificationService notifications, AppHostSettings settings, DistributedApplicationModel model)
    : BackgroundService
{
    public const string RunningLine = "Comms is running. Press Ctrl+C to stop.";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            foreach (var name in new[] { "api", "dispatcher", "web" })
            {
                await notifications.WaitForResourceHealthyAsync(name, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var lines = new List<string> { "", "Comms is up:" };
        lines.Add($"  API            {Url("api", "http")}   (reference: {Url("api", "http")}/scalar)");
        lines.Add($"  Web            {Url("web", "http")}   (sign in: {Url("web", "http")}/dev/sign-in)");
        if (model.Resources.Any(r => r.Name == "mail" && r is Resources.MailDevResource))
        {
            lines.Add($"  MailDev        {Url("mail", "http")}");
        }

        if (settings.DashboardUrl is { } dashboard)
        {
            lines.Add($"  Dashboard      {dashboard}");
        }

        lines.Add(RunningLine);
        Console.Out.WriteLine(string.Join(Environment.NewLine, lines));
    }

    private string Url(string resource, string endpoint) =>
        model.Resources.OfType<IResourceWithEndpoints>().Single(r => r.Name == resource).GetEndpoint(endpoint).Url
            .Replace("//localhost:", "//127.0.0.1:", StringComparison.Ordinal);
}
