using Comms.Api.ApiKeys;
using Comms.Api.Categories;
using Comms.Api.Decisions;
using Comms.Api.Events;
using Comms.Api.Me;
using Comms.Api.Recipients;
using Comms.Api.RoutingRules;
using Comms.Api.SigningKeys;
using Comms.Api.Sys;
using Comms.Api.Templates;

namespace Comms.Api.Extensions;

public static class EndpointExtensions
{
    /// <summary>Every feature's routes: <c>/v1/*</c> for service callers, <c>/me/*</c> for end users, <c>/sys/*</c> for operators.</summary>
    public static WebApplication MapCommsApi(this WebApplication app)
    {
        app.MapEventsApi();
        app.MapRecipientsApi();
        app.MapApiKeysApi();
        app.MapSigningKeysApi();
        app.MapCategoriesApi();
        app.MapTemplatesApi();
        app.MapRoutingRulesApi();
        app.MapDecisionsApi();
        app.MapMeNotificationsApi();
        app.MapMePreferencesApi();
        app.MapSysTenantsApi();
        return app;
    }
}
