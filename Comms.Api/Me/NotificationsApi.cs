using Comms.Api.Auth;
using Comms.Api.Input;
using Comms.Api.OpenApi;
using Comms.Core.Inbox;
using Comms.Realtime;
using Comms.ServiceDefaults.Cors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Comms.Api.Me;

/// <summary>
/// The end user's notification center (SPEC S5), authorised by the user's session token. Every change is idempotent
/// (doing it twice answers the same) and is pushed live to the user's other tabs and devices after it commits.
/// </summary>
public static class NotificationsApi
{
    public static RouteGroupBuilder MapMeNotificationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/me/notifications").WithTags("Me: notifications").RequireAuthorization(AuthExtensions.EndUserPolicy)
            .RequireCors(WidgetCors.Policy);

        group.MapGet("/", List).WithSummary("List the signed-in user's notifications, newest first")
            .WithDescription("status: all (default: everything not archived), unread, read, archived; category; group=thread (one row per thread "
                + "key: its newest item with threadCount and threadUnread). Pages: nextCursor as before (older), newerCursor as after "
                + "(newer, oldest first from the cursor); hasNewer says whether newer items exist. before and after cannot be combined.");
        group.MapGet("/count", Count).WithSummary("Unread and unseen counts for the badge");
        MapChange(group, "read", InboxAction.Read, "Mark one notification read (and seen)");
        MapChange(group, "unread", InboxAction.Unread, "Mark one notification unread");
        MapChange(group, "archive", InboxAction.Archive, "Archive one notification (it leaves the default list)");
        MapChange(group, "unarchive", InboxAction.Unarchive, "Bring an archived notification back");
        group.MapPost("/read-all", ReadAll).WithSummary("Mark every notification read, or every one of a category (?category=)");
        group.MapPost("/seen", Seen).WithSummary("Everything up to now is seen: the unseen count drops to zero");

        return group;
    }

    private static void MapChange(RouteGroupBuilder group, string action, InboxAction change, string summary) =>
        group.MapPost($"/{{id:guid}}/{action}", (Guid id, HttpContext http, LiveInbox inbox, CancellationToken ct) => Change(id, change, http, inbox, ct))
            .WithSummary(summary)
            .WithDescription("Answers the notification's new state with the counts after the change. Idempotent.")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);

    public static async Task<Results<Ok<InboxPage>, ValidationProblem>> List(
        HttpContext http, InboxService inbox, string? status, string? category, string? before, string? after, int? limit, string? group,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = InboxFilter.All;
        if (status is not null && !StrictEnum.TryParse(status, out filter))
        {
            errors["status"] = [$"status must be one of: {StrictEnum.Names<InboxFilter>()}."];
        }

        var grouping = InboxGrouping.None;
        if (group is not null && !StrictEnum.TryParse(group, out grouping))
        {
            errors["group"] = [$"group must be one of: {StrictEnum.Names<InboxGrouping>()}."];
        }

        InboxPosition? beforePosition = null, afterPosition = null;
        if (before is not null)
        {
            beforePosition = InboxCursor.TryDecode(before, out InboxPosition position) ? position : null;
            if (beforePosition is null)
            {
                errors["before"] = ["before must be a cursor returned by this endpoint."];
            }
        }

        if (after is not null)
        {
            afterPosition = InboxCursor.TryDecode(after, out InboxPosition position) ? position : null;
            if (afterPosition is null)
            {
                errors["after"] = ["after must be a cursor returned by this endpoint."];
            }
            else if (before is not null)
            {
                errors["after"] = ["Give before (older items) or after (newer items), not both."];
            }
        }

        if (limit is < 1 or > InboxService.MaxPageSize)
        {
            errors["limit"] = [$"limit must be between 1 and {InboxService.MaxPageSize}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, type: "COMMS_VALIDATION");
        }

        var query = new InboxQuery(filter, string.IsNullOrEmpty(category) ? null : category, beforePosition, afterPosition, limit ?? 20, grouping);
        return TypedResults.Ok(await inbox.ListAsync(http.User.TenantId(), http.User.ExternalId(), query, cancellationToken));
    }

    public static async Task<Ok<UnreadCounts>> Count(HttpContext http, InboxService inbox, CancellationToken cancellationToken) =>
        TypedResults.Ok(await inbox.CountAsync(http.User.TenantId(), http.User.ExternalId(), cancellationToken));

    private static async Task<Results<Ok<InboxItemChanged>, ProblemHttpResult>> Change(
        Guid id, InboxAction action, HttpContext http, LiveInbox inbox, CancellationToken cancellationToken)
    {
        var changed = await inbox.ChangeAsync(http.User.TenantId(), http.User.ExternalId(), id, action, cancellationToken);
        return changed is null
            ? TypedResults.Problem(statusCode: 404, type: "COMMS_NOT_FOUND", title: "Notification not found.", detail: $"You have no notification {id}.")
            : TypedResults.Ok(changed);
    }

    public static async Task<Ok<UnreadCounts>> ReadAll(HttpContext http, LiveInbox inbox, string? category, CancellationToken cancellationToken) =>
        TypedResults.Ok(await inbox.ReadAllAsync(http.User.TenantId(), http.User.ExternalId(),
            string.IsNullOrEmpty(category) ? null : category, cancellationToken));

    public static async Task<Ok<UnreadCounts>> Seen(HttpContext http, LiveInbox inbox, CancellationToken cancellationToken) =>
        TypedResults.Ok(await inbox.SeenAsync(http.User.TenantId(), http.User.ExternalId(), cancellationToken));
}
