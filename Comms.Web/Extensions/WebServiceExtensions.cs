using Comms.Core.Data;
using Comms.Core.Inbox;
using Comms.Realtime;
using Comms.Web.Session;

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

        builder.AddEndUserAuth();
        builder.Services.AddProblemDetailsDefaults();
        builder.Services.AddRazorPages();
        return builder;
    }

    public static WebApplication MapWebEndpoints(this WebApplication app)
    {
        // Every page says who may see it (the authorization fallback policy closes the rest).
        // Static files are public; the group also covers the development-time fallback endpoint MapStaticAssets adds.
        app.MapGroup("").AllowAnonymous().MapStaticAssets();
        app.MapRazorPages().WithStaticAssets();
        app.MapSessionEndpoints();
        app.MapHub<NotificationsHub>(NotificationsHub.Path);
        return app;
    }
}
