using Comms.AppHost.Resources;
using Microsoft.Extensions.Configuration;

namespace Comms.AppHost;

/// <summary>How the app host wires PostgreSQL, Redis, the mail catcher and the Comms services together.</summary>
public static class Extensions
{
    /// <summary>
    /// The <c>commsdb</c> database: on the local PostgreSQL resource, or, when <c>ConnectionStrings:commsdb</c> is
    /// set, on that existing server (the services then wait for nothing but the migrator).
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddCommsDatabase(this IDistributedApplicationBuilder builder, AppHostSettings settings)
    {
        if (settings.HasExternal("commsdb"))
        {
            return builder.AddConnectionString("commsdb");
        }

        var postgres = builder.AddLocalPostgres("postgres", settings.DataDirectory, settings.Port("postgres"));
        return Widen(postgres.AddDatabase("commsdb"));
    }

    public static IResourceBuilder<IResourceWithConnectionString> AddCommsRedis(this IDistributedApplicationBuilder builder, AppHostSettings settings) =>
        settings.HasExternal("redis")
            ? builder.AddConnectionString("redis")
            : Widen(builder.AddLocalRedis("redis", settings.DataDirectory, settings.Port("redis")));

    public static IResourceBuilder<IResourceWithConnectionString> AddCommsMail(this IDistributedApplicationBuilder builder, AppHostSettings settings) =>
        settings.HasExternal("mail")
            ? builder.AddConnectionString("mail")
            : Widen(builder.AddMailDev("mail", settings.RepositoryRoot, settings.DataDirectory, settings.Port("mail_smtp"), settings.Port("mail_http")));

    /// <summary>References a server and, when the app host runs it, waits until it is healthy.</summary>
    public static IResourceBuilder<ProjectResource> Uses(
        this IResourceBuilder<ProjectResource> project, IResourceBuilder<IResourceWithConnectionString> server)
    {
        project.WithReference(server);
        return server.Resource is ExecutableResource or LocalPostgresDatabaseResource ? project.WaitFor(server) : project;
    }

    /// <summary>
    /// What every Comms service gets besides its references: the app host's environment name (Development
    /// applies the demo seed) and every <c>Comms__*</c> variable the app host was given, so an operator
    /// configures providers, secrets and limits of all services in one place.
    /// </summary>
    /// <summary>
    /// The replicas this app host runs share this machine's cores, so they share a single replica's routing loops (2) between
    /// them — one each for two — unless the operator sets <c>Comms__Dispatcher__RoutingLoops</c>: measured on two cores,
    /// two replicas of two loops drained 6 % slower than one, two of one loop as fast (README, Performance).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithRoutingLoopsSplit(this IResourceBuilder<ProjectResource> dispatcher, int replicas) =>
        replicas <= 1 || Environment.GetEnvironmentVariable("Comms__Dispatcher__RoutingLoops") is { Length: > 0 }
            ? dispatcher
            : dispatcher.WithEnvironment("Comms__Dispatcher__RoutingLoops", Math.Max(1, 2 / replicas).ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static IResourceBuilder<ProjectResource> WithCommsDefaults(this IResourceBuilder<ProjectResource> project, IDistributedApplicationBuilder builder) =>
        project.WithEnvironment(context =>
        {
            context.EnvironmentVariables["ASPNETCORE_ENVIRONMENT"] = builder.Environment.EnvironmentName;
            context.EnvironmentVariables["DOTNET_ENVIRONMENT"] = builder.Environment.EnvironmentName;
            // The dashboard stops with the app host; a service's last telemetry flush must not wait the default
            // 10 s per signal for it (that alone held a stop for 15 s).
            context.EnvironmentVariables["OTEL_EXPORTER_OTLP_TIMEOUT"] = "500";
            if (!builder.Configuration.GetValue("Comms:AppHost:Dashboard", true))
            {
                // Without the dashboard nothing listens where Aspire still points the services' exporters (its OTLP
                // port): every export would fail and be retried, costing CPU all the time (measured in the benchmarks).
                // An operator's own collector (OTEL_EXPORTER_OTLP_ENDPOINT given to the app host) is kept.
                if (builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 } collector)
                {
                    context.EnvironmentVariables["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector;
                }
                else
                {
                    context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
                }
            }

            context.EnvironmentVariables["Comms__Links__PublicWebUrl"] = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "web").GetEndpoint("http"); // unsubscribe links; an operator's Comms__Links__PublicWebUrl wins (below)
            foreach (var (key, value) in Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                         .Select(e => ((string)e.Key, e.Value as string)))
            {
                if (key.StartsWith("Comms__", StringComparison.Ordinal) && !key.StartsWith("Comms__AppHost__", StringComparison.Ordinal))
                {
                    context.EnvironmentVariables[key] = value ?? "";
                }
            }
        });

    /// <summary>The addresses the Web's home page links to: the mail catcher's UI and the dashboard, when they run.</summary>
    public static IResourceBuilder<ProjectResource> WithHomePageLinks(
        this IResourceBuilder<ProjectResource> web, IResourceBuilder<IResourceWithConnectionString> mail, AppHostSettings settings)
    {
        if (mail.Resource is MailDevResource mailDev)
        {
            web.WithEnvironment("Comms__Links__MailDev", mailDev.GetEndpoint(MailDevResource.HttpEndpointName));
        }

        return settings.DashboardUrl is { } dashboard ? web.WithEnvironment("Comms__Links__Dashboard", dashboard) : web;
    }

    private static IResourceBuilder<IResourceWithConnectionString> Widen<T>(IResourceBuilder<T> builder) where T : IResourceWithConnectionString =>
        builder.ApplicationBuilder.CreateResourceBuilder<IResourceWithConnectionString>(builder.Resource);
}
