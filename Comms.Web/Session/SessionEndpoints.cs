using Comms.Core.Inbox;
using Comms.Realtime;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Comms.Web.Session;

/// <summary>
/// The end of a session and the same-origin calls the notification center page makes (cookie-authenticated;
/// every state change checks the antiforgery token). A session starts at <c>POST /session/start</c>
/// (<c>Pages/Session/Start</c>).
/// </summary>
public static class SessionEndpoints
{
    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        // Signing out must work whatever the state of the session; the antiforgery token keeps it same-origin.
        app.MapPost("/session/end", EndAsync).AllowAnonymous().ExcludeFromDescription();

        var user = app.MapGroup("/app").RequireAuthorization(EndUserAuth.PagesPolicy).ExcludeFromDescription();
        user.MapGet("/notifications", ListAsync);
        user.MapPost("/notifications/{id:guid}/read", MarkReadAsync);
        user.MapPost("/notifications/read-all", ReadAllAsync);
        return app;
    }

    private static async Task<IResult> EndAsync(HttpContext http, IAntiforgery antiforgery)
    {
        await antiforgery.ValidateRequestAsync(http);
        await http.SignOutAsync(EndUserAuth.CookieScheme);
        return TypedResults.LocalRedirect("/");
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
        LivePushes pushes, CancellationToken cancellationToken)
    {
        await antiforgery.ValidateRequestAsync(http);
        var (tenant, user) = http.User.CurrentUser();
        var counts = await inbox.SetReadAsync(tenant, user, id, read: true, cancellationToken);
        if (counts is null)
        {
            return TypedResults.NotFound();
        }

        pushes.UnreadCountChanged(tenant, user, counts);
        return TypedResults.Ok(counts);
    }

    private static async Task<Ok<UnreadCounts>> ReadAllAsync(
        HttpContext http, IAntiforgery antiforgery, InboxService inbox,
        LivePushes pushes, CancellationToken cancellationToken)
    {
        await antiforgery.ValidateRequestAsync(http);
        var (tenant, user) = http.User.CurrentUser();
        var counts = await inbox.ReadAllAsync(tenant, user, cancellationToken);
        pushes.UnreadCountChanged(tenant, user, counts);
        return TypedResults.Ok(counts);
    }
}
