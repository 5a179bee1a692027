using Comms.Core.Inbox;
using Comms.Realtime;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Comms.Web.Session;

/// <summary>
/// The end of a session and the same-origin calls the notification center page makes (cookie-authenticated;
/// every state change checks the antiforgery token). They are the API's <c>/me/notifications</c> for the page's
/// session, through the same services, so a change here is pushed live the same way. A session starts at
/// <c>POST /session/start</c> (<c>Pages/Session/Start</c>).
/// </summary>
public static class SessionEndpoints
{
    public const int PageSize = 50;

    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        // Signing out must work whatever the state of the session; the antiforgery token keeps it same-origin.
        app.MapPost("/session/end", EndAsync).AllowAnonymous().ExcludeFromDescription();

        var user = app.MapGroup("/app/notifications").RequireAuthorization(EndUserAuth.PagesPolicy).ExcludeFromDescription();
        user.MapGet("/", ListAsync);
        user.MapGet("/count", CountAsync);
        user.MapPost("/{id:guid}/{action:regex(^(read|unread|archive|unarchive)$)}", ChangeAsync);
        user.MapPost("/read-all", ReadAllAsync);
        user.MapPost("/seen", SeenAsync);
        return app;
    }

    private static async Task<IResult> EndAsync(HttpContext http, IAntiforgery antiforgery)
    {
        await antiforgery.ValidateRequestAsync(http);
        await http.SignOutAsync(EndUserAuth.CookieScheme);
        return TypedResults.LocalRedirect("/");
    }

    private static async Task<Results<Ok<InboxPage>, ProblemHttpResult>> ListAsync(
        HttpContext http, InboxService inbox, string? before, string? after, int? limit, CancellationToken cancellationToken)
    {
        var valid = limit is null or (>= 1 and <= InboxService.MaxPageSize) && (before is null || after is null);
        InboxPosition? older = null, newer = null;
        if (before is not null)
        {
            valid &= InboxCursor.TryDecode(before, out InboxPosition position);
            older = position;
        }

        if (after is not null)
        {
            valid &= InboxCursor.TryDecode(after, out InboxPosition position);
            newer = position;
        }

        if (!valid)
        {
            return TypedResults.Problem(statusCode: 400, type: "COMMS_VALIDATION", title: "The page is not valid.",
                detail: "Give a cursor of this endpoint as before or after (not both), and a limit from 1 to 100.");
        }

        var (tenant, user) = http.User.CurrentUser();
        return TypedResults.Ok(await inbox.ListAsync(tenant, user, new InboxQuery(Before: older, After: newer, Limit: limit ?? PageSize), cancellationToken));
    }

    private static async Task<Ok<UnreadCounts>> CountAsync(HttpContext http, InboxService inbox, CancellationToken cancellationToken)
    {
        var (tenant, user) = http.User.CurrentUser();
        return TypedResults.Ok(await inbox.CountAsync(tenant, user, cancellationToken));
    }

    private static async Task<Results<Ok<InboxItemChanged>, NotFound>> ChangeAsync(
        Guid id, string action, HttpContext http, IAntiforgery antiforgery, LiveInbox inbox, CancellationToken cancellationToken)
    {
        await antiforgery.ValidateRequestAsync(http);
        var (tenant, user) = http.User.CurrentUser();
        var change = Enum.Parse<InboxAction>(action, ignoreCase: true);
        return await inbox.ChangeAsync(tenant, user, id, change, cancellationToken) is { } changed ? TypedResults.Ok(changed) : TypedResults.NotFound();
    }

    private static async Task<Ok<UnreadCounts>> ReadAllAsync(
        HttpContext http, IAntiforgery antiforgery, LiveInbox inbox, CancellationToken cancellationToken)
    {
        await antiforgery.ValidateRequestAsync(http);
        var (tenant, user) = http.User.CurrentUser();
        return TypedResults.Ok(await inbox.ReadAllAsync(tenant, user, null, cancellationToken));
    }

    private static async Task<Ok<UnreadCounts>> SeenAsync(
        HttpContext http, IAntiforgery antiforgery, LiveInbox inbox, CancellationToken cancellationToken)
    {
        await antiforgery.ValidateRequestAsync(http);
        var (tenant, user) = http.User.CurrentUser();
        return TypedResults.Ok(await inbox.SeenAsync(tenant, user, cancellationToken));
    }
}
