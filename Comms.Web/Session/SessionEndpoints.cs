using Comms.Core.Auth;
using Comms.Core.Inbox;
using Comms.Realtime;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Comms.Web.Session;

/// <summary>The end user's session and the same-origin calls the notification center page makes.</summary>
public static class SessionEndpoints
{
    public static readonly TimeSpan HubTokenLifetime = TimeSpan.FromMinutes(30);

    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/session/start", StartAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/session/end", EndAsync).ExcludeFromDescription();

        var user = app.MapGroup("/app").RequireAuthorization(EndUserAuth.PagesPolicy).ExcludeFromDescription();
        user.MapGet("/token", IssueHubToken);
        user.MapGet("/notifications", ListAsync);
        user.MapPost("/notifications/{id:guid}/read", MarkReadAsync);
        user.MapPost("/notifications/read-all", ReadAllAsync);
        return app;
    }

    /// <summary>Exchanges a host product's user token for a cookie session, then goes to <paramref name="returnUrl"/>.</summary>
    private static async Task<IResult> StartAsync(string? token, string? returnUrl, HttpContext http, IOptions<UserTokenOptions> options)
    {
        if (string.IsNullOrEmpty(token))
        {
            return TypedResults.Problem(statusCode: 400, type: "COMMS_VALIDATION", title: "The token is missing.",
                detail: "Open /session/start?token=<user JWT> to start a session.");
        }

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, UserTokens.ValidationParameters(options.Value));
        var user = result.IsValid ? UserTokens.UserOf(new System.Security.Claims.ClaimsPrincipal(result.ClaimsIdentity)) : null;
        if (user is null)
        {
            return TypedResults.Problem(statusCode: 401, type: "COMMS_UNAUTHORIZED", title: "The token is not valid.",
                detail: "The user token is malformed, expired, or not signed with this deployment's key.");
        }

        await EndUserAuth.SignInAsync(http, user.Value.TenantId, user.Value.ExternalId);
        return TypedResults.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/notifications");
    }

    private static async Task<IResult> EndAsync(HttpContext http, IAntiforgery antiforgery)
    {
        await antiforgery.ValidateRequestAsync(http);
        await http.SignOutAsync(EndUserAuth.CookieScheme);
        return TypedResults.LocalRedirect("/");
    }

    /// <summary>A short-lived user token for the SignalR connection of the signed-in user.</summary>
    private static Ok<string> IssueHubToken(HttpContext http, IOptions<UserTokenOptions> options, TimeProvider time)
    {
        var (tenant, user) = http.User.CurrentUser();
        return TypedResults.Ok(UserTokens.Issue(options.Value, tenant, user, HubTokenLifetime, time));
    }

    private static async Task<Ok<InboxPage>> ListAsync(
        HttpContext http, InboxService inbox, string? before, string? after, CancellationToken cancellationToken)
    {
        var (tenant, user) = http.User.CurrentUser();
        var page = await inbox.ListAsync(tenant, user, InboxFilter.All, null, before, after, 50, cancellationToken);
        return TypedResults.Ok(page!);
    }

    private static async Task<Results<Ok<UnreadCounts>, NotFound>> MarkReadAsync(
        Guid id, HttpContext http, IAntiforgery antiforgery, InboxService inbox,
        IHubContext<NotificationsHub, INotificationsClient> hub, CancellationToken cancellationToken)
    {
        await antiforgery.ValidateRequestAsync(http);
        var (tenant, user) = http.User.CurrentUser();
        var counts = await inbox.SetReadAsync(tenant, user, id, read: true, cancellationToken);
        if (counts is null)
        {
            return TypedResults.NotFound();
        }

        await hub.Clients.User(TenantUserIdProvider.UserKey(tenant, user)).UnreadCountChanged(counts);
        return TypedResults.Ok(counts);
    }

    private static async Task<Ok<UnreadCounts>> ReadAllAsync(
        HttpContext http, IAntiforgery antiforgery, InboxService inbox,
        IHubContext<NotificationsHub, INotificationsClient> hub, CancellationToken cancellationToken)
    {
        await antiforgery.ValidateRequestAsync(http);
        var (tenant, user) = http.User.CurrentUser();
        var counts = await inbox.ReadAllAsync(tenant, user, cancellationToken);
        await hub.Clients.User(TenantUserIdProvider.UserKey(tenant, user)).UnreadCountChanged(counts);
        return TypedResults.Ok(counts);
    }

    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
