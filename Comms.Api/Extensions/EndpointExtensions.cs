using Comms.Api.ApiKeys;
using Comms.Api.Banners;
using Comms.Api.Categories;
using Comms.Api.ContextMail;
using Comms.Api.Contexts;
using Comms.Api.Decisions;
using Comms.Api.Events;
using Comms.Api.Feedback;
using Comms.Api.Messages;
using Comms.Api.Operators;
using Comms.Api.Me;
using Comms.Api.Recipients;
using Comms.Api.ReleaseNotes;
using Comms.Api.RoutingRules;
using Comms.Api.SigningKeys;
using Comms.Api.Sms;
using Comms.Api.Sys;
using Comms.Api.SupportInbox;
using Comms.Api.Templates;
using Comms.Api.WebhookEndpoints;

namespace Comms.Api.Extensions;

public static class EndpointExtensions
{
    /// <summary>Every feature's routes: <c>/v1/*</c> for service callers, <c>/me/*</c> for end users, <c>/sys/*</c> for operators.</summary>
    /// <remarks>
    /// Each audience is a group with its rate limit (see <see cref="CommsRateLimitPolicies"/>): per API key,
    /// per end user, per operator address. Body caps and the other input guards apply to all of them.
    /// </remarks>
    public static WebApplication MapCommsApi(this WebApplication app)
    {
        var service = app.MapGroup("").RequireRateLimiting(CommsRateLimitPolicies.ApiKey);
        service.MapEventsApi();
        service.MapRecipientsApi();
        service.MapApiKeysApi();
        service.MapSigningKeysApi();
        service.MapWebhookEndpointsApi();
        service.MapCategoriesApi();
        service.MapTemplatesApi();
        service.MapRoutingRulesApi();
        service.MapDecisionsApi();
        service.MapMessagesApi();
        service.MapWebhookDeliveriesApi();
        service.MapContextsApi();
        service.MapScheduledMessagesApi();
        service.MapContextMailServiceApi();

        var endUser = app.MapGroup("").RequireRateLimiting(CommsRateLimitPolicies.User);
        endUser.MapMeNotificationsApi();
        endUser.MapMePreferencesApi();
        endUser.MapMeContextMailApi();
        endUser.MapMeBannersApi();

        var sys = app.MapGroup("").RequireRateLimiting(CommsRateLimitPolicies.Sys);
        sys.MapSysTenantsApi();
        sys.MapOperatorAccountApi();
        sys.MapSysDirectMessagesApi();
        sys.MapSysBannersApi();
        sys.MapSysReleaseNotesApi();
        sys.MapSysBroadcastsApi();
        sys.MapSysInboxApi();
        sys.MapSysAuditApi();
        // Sign-in has the stricter per-address sign-in limit of its own.
        app.MapOperatorTokenApi();

        // The public changelog: no credential, limited per client address (the /sys rule).
        app.MapGroup("").RequireRateLimiting(CommsRateLimitPolicies.Sys).MapPublicChangelogApi();

        // Called by providers, signed with their own schemes (no API key); not rate limited per caller (providers post in bursts).
        app.MapFeedbackWebhooks();
        app.MapTwilioInboundApi();
        app.MapSendGridInboundApi();
        return app;
    }
}
