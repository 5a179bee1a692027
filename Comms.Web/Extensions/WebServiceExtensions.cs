using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Threading.RateLimiting;
using Comms.Core.Contexts;
using Comms.Core.Data;
using Comms.Core.Diagnostics;
using Comms.ServiceDefaults.RateLimiting;
using Comms.Core.Inbox;
using Comms.Core.Preferences;
using Comms.Core.Routing;
using Comms.Core.Unsubscribe;
using Comms.Realtime;
using Comms.ServiceDefaults.Cors;
using Comms.Web.Admin;
using Comms.Web.Links;
using Comms.Web.Session;
using Comms.Web.Widget;

namespace Comms.Web.Extensions;

/// <summary>
/// The Web shares the domain library (Comms.Core) with the API rather than calling it over HTTP:
/// pages read and write through the same services, and pushes go through the same hub backplane.
/// </summary>
public static class WebServiceExtensions
{
    public static IHostApplicationBuilder AddWebServices(this IHostApplicationBuilder builder)
    {
        builder.AddCommsDatabase();
        builder.AddCommsRedis();
        builder.AddCommsRealtime();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<InboxService>();
        builder.Services.AddSingleton<LiveInbox>();
        builder.Services.AddSingleton<WidgetScript>();
        builder.Services.AddSelfRequestWarmUp(new(HttpMethod.Get, "/"), new(HttpMethod.Get, "/notifications"));
        builder.AddWidgetCors();

        // The preference center page and unsubscribe links write through the same service as the API's /me endpoints.
        builder.Services.AddOptions<CatalogOptions>().BindConfiguration(CatalogOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<TenantCatalog>();
        builder.Services.AddHostedService<CatalogChangeListener>();
        builder.Services.AddSingleton<PreferenceService>();
        builder.Services.AddOptions<UnsubscribeOptions>().BindConfiguration(UnsubscribeOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<UnsubscribeService>();

        // The host's Communications page writes scheduled messages through the same services as the API.
        builder.Services.AddSingleton<CatalogChanges>();
        builder.Services.AddSingleton<Comms.Core.Queueing.WakeUps>();
        builder.Services.AddContextServices();

        // The public changelog page reads release notes through the API's service (it writes nothing).
        builder.Services.AddSingleton<Comms.Core.Audit.AuditLog>();
        builder.Services.AddSingleton<Comms.Core.ReleaseNotes.ReleaseNoteService>();

        builder.AddEndUserAuth();

        // The operator console (/admin): its own cookie, over the same operator accounts as the API's /sys/auth/token.
        builder.AddOperatorConsole();
        builder.Services.AddSingleton<Admin.OperationsDashboard>();
        builder.Services.AddSingleton<Comms.Core.Diagnostics.ProviderHealthReader>();
        builder.Services.AddSingleton<Admin.ProviderHealthBoard>();
        builder.Services.AddSingleton<Comms.Core.Audit.AuditQuery>();
        builder.Services.AddScoped<ConsoleFreshAuth>();
        builder.Services.AddSingleton<Comms.Core.Tenancy.TenantService>();
        builder.Services.AddSingleton<Comms.Core.Tenancy.ApiKeyStore>();
        builder.Services.AddSingleton<Comms.Core.Tenancy.ApiKeyService>();
        builder.Services.AddSingleton<Comms.Core.Messages.MessageResend>();
        builder.Services.AddSingleton<RoutingRuleService>();
        builder.Services.AddSingleton<Comms.Core.Preferences.SuppressionList>();
        builder.Services.AddSingleton<Comms.Core.Recipients.Bulk.RecipientBulkService>();
        builder.Services.AddSingleton<Comms.Core.Recipients.Bulk.RecipientCsvImport>();
        builder.Services.AddSingleton<Comms.Core.DirectMessages.DirectMessageService>();
        builder.Services.TryAddSingleton<Comms.Core.Templates.LiquidRenderer>();
        builder.Services.TryAddSingleton<Comms.Core.Templates.ContentRenderer>();
        builder.Services.AddSingleton<Comms.Core.Templates.TemplatePreviewer>();
        builder.Services.AddSingleton<Comms.Core.Templates.TemplateService>();
        // Console: operator inbox and broadcasts (issue 12 pages).
        builder.Services.AddSingleton<Comms.Core.SupportInbox.SupportInboxService>();
        builder.Services.AddSingleton<Comms.Core.Broadcasts.BroadcastService>();
        builder.Services.AddSingleton<Comms.Core.Broadcasts.BroadcastProgress>();
        builder.Services.AddSingleton<Comms.Core.Broadcasts.BroadcastSender>();
        builder.Services.AddSingleton<Comms.Core.Broadcasts.BroadcastControl>();
        // Console: banners (also what the notification center shows) and release notes with their announcement.
        builder.Services.AddSingleton<Comms.Core.Banners.BannerService>();
        builder.Services.AddSingleton<Comms.Core.ReleaseNotes.ReleaseNoteAnnouncer>();
        builder.AddCommsRateLimiting(
            failedOpen: policy => CommsTelemetry.RateLimitFailedOpen.Add(1, new KeyValuePair<string, object?>("policy", policy)),
            configure: options => options.GlobalLimiter = SignInLimiter());
        builder.Services.AddProblemDetailsDefaults();
        builder.Services.AddRazorPages();
        return builder;
    }

    /// <summary>Starting a session (<c>/session/*</c>, the sign-in of end users, and the console's sign-in) is limited per client address.</summary>
    private static PartitionedRateLimiter<HttpContext> SignInLimiter() =>
        PartitionedRateLimiter.Create<HttpContext, LimitKey>(http =>
        {
            var limiters = http.RequestServices.GetRequiredService<CommsRateLimiters>();
            var signingIn = http.Request.Path.StartsWithSegments("/session")
                            || (http.Request.Path.StartsWithSegments(Admin.OperatorConsoleAuth.SignInPath) && HttpMethods.IsPost(http.Request.Method));
            return signingIn
                ? limiters.Partition(CommsRateLimitPolicies.SignIn, RateLimitingExtensions.ClientAddress(http), limiters.Options.SignIn)
                : RateLimitPartition.GetNoLimiter(default(LimitKey));
        });

    public static WebApplication MapWebEndpoints(this WebApplication app)
    {
        // Every page says who may see it (the authorization fallback policy closes the rest).
        // Static files are public; the group also covers the development-time fallback endpoint MapStaticAssets adds.
        app.MapGroup("").AllowAnonymous().MapStaticAssets();
        app.MapRazorPages().WithStaticAssets();
        app.MapSessionEndpoints();
        app.MapBannerEndpoints();
        WidgetScript.MapWidgetScript(app);
        app.MapLinkRedirects();
        // Negotiate and connect, per user (tenant + subject); the widget connects from its host page's origin with a token.
        app.MapHub<NotificationsHub>(NotificationsHub.Path).RequireRateLimiting(CommsRateLimitPolicies.User).RequireCors(WidgetCors.Policy);
        // The console's operators (cookie session, SysOperator): same origin only, no CORS.
        app.MapHub<NotificationsHub>(NotificationsHub.ConsolePath).RequireRateLimiting(CommsRateLimitPolicies.User);
        return app;
    }
}
