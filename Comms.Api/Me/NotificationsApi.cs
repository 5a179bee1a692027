using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Api.Input;
using Comms.Core.Inbox;
using Comms.Realtime;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Comms.Api.Me;

/// <summary>The end user's notification center (SPEC S5), authorised by the user's session token.</summary>
public static class NotificationsApi
{
    public static RouteGroupBuilder MapMeNotificationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/me/notifications").WithTags("Me: notifications").RequireAuthorization(AuthExtensions.EndUserPolicy);

        group.MapGet("/", List).WithSummary("List the signed-in user's notifications, newest first");
        group.MapGet("/count", Count).WithSummary("Unread and unseen counts for the badge");
        group.MapPost("/{id:guid}/read", (Guid id, HttpContext http, InboxService inbox, LivePushes pushes, CancellationToken ct)
            => SetRead(id, true, http, inbox, pushes, ct)).WithSummary("Mark one notification read")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        group.MapPost("/{id:guid}/unread", (Guid id, HttpContext http, InboxService inbox, LivePushes pushes, CancellationToken ct)
            => SetRead(id, false, http, inbox, pushes, ct)).WithSummary("Mark one notification unread")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        group.MapPost("/read-all", ReadAll).WithSummary("Mark every notification read");

        return group;
    }

    public static async Task<Results<Ok<InboxPage>, ValidationProblem>> List(
        HttpContext http, InboxService inbox, string? status, string? category, string? before, string? after, int? limit,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = InboxFilter.All;
        if (status is not null && !StrictEnum.TryParse(status, out filter))
        {
            errors["status"] = [$"status must be one of: {StrictEnum.Names<InboxFilter>()}."];
        }

        if (before is not null && !InboxCursor.TryDecode(before, out _, out _))
        {
            errors["before"] = ["before must be a cursor returned by this endpoint."];
        }

        if (after is not null && !InboxCursor.TryDecode(after, out _, out _))
        {
            errors["after"] = ["after must be a cursor returned by this endpoint."];
        }

        if (limit is < 1 or > InboxService.MaxPageSize)
        {
            errors["limit"] = [$"limit must be between 1 and {InboxService.MaxPageSize}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, type: "COMMS_VALIDATION");
        }

        var page = await inbox.ListAsync(http.User.TenantId(), http.User.ExternalId(), filter, category, before, after, limit ?? 20, cancellationToken);
        return TypedResults.Ok(page!);
    }

    public static async Task<Ok<UnreadCounts>> Count(HttpContext http, InboxService inbox, CancellationToken cancellationToken) =>
        TypedResults.Ok(await inbox.CountAsync(http.User.TenantId(), http.User.ExternalId(), cancellationToken));

    private static async Task<Results<Ok<UnreadCounts>, ProblemHttpResult>> SetRead(
        Guid id, bool read, HttpContext http, InboxService inbox, LivePushes pushes, CancellationToken cancellationToken)
    {
        var (tenant, user) = (http.User.TenantId(), http.User.ExternalId());
        var counts = await inbox.SetReadAsync(tenant, user, id, read, cancellationToken);
        if (counts is null)
        {
            return TypedResults.Problem(statusCode: 404, type: "COMMS_NOT_FOUND", title: "Notification not found.",
                detail: $"You have no notification {id}.");
        }

        // The write has committed: the push to the user's other tabs is fire-and-forget and can never fail the request.
        pushes.UnreadCountChanged(tenant, user, counts);
        return TypedResults.Ok(counts);
    }

    public static async Task<Ok<UnreadCounts>> ReadAll(
        HttpContext http, InboxService inbox, LivePushes pushes, CancellationToken cancellationToken)
    {
        var (tenant, user) = (http.User.TenantId(), http.User.ExternalId());
        var counts = await inbox.ReadAllAsync(tenant, user, cancellationToken);
        pushes.UnreadCountChanged(tenant, user, counts);
        return TypedResults.Ok(counts);
    }
}
