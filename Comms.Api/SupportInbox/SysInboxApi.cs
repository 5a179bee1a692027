using System.Security.Claims;
using Comms.Api.Auth;
using Comms.Api.Banners;
using Comms.Api.OpenApi;
using Comms.Core.Operators;
using Comms.Core.Queueing;
using Comms.Core.SupportInbox;
using Comms.Realtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Comms.Api.SupportInbox;

/// <summary>The body of <c>POST /sys/inbox/{threadId}/assign</c>: the operator to assign (yourself when omitted).</summary>
public sealed record InboxAssignRequest(Guid? OperatorId);

/// <summary>The body of <c>POST /sys/inbox/{threadId}/reply</c>: plain text.</summary>
public sealed record InboxReplyRequest(string? Body);

/// <summary>
/// The operator inbox (issue 12): threads of the mail that reached the platform's inbound address, newest activity first;
/// assign, reply by email (sent by the dispatcher, kept in the thread), close and reopen. Operator token or platform key;
/// every change is audited (actions <c>sys.inbox.*</c>).
/// </summary>
public static class SysInboxApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static RouteGroupBuilder MapSysInboxApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sys/inbox").WithTags("Sys: operator inbox").RequireAuthorization(AuthExtensions.SysPolicy);
        group.MapGet("/", List).WithSummary("List inbox threads, newest activity first")
            .WithDescription("status: open (default), assigned_to_me (open threads assigned to you; needs an operator token) or closed. "
                + "limit 1-200 (default 50); cursor from the previous page's nextCursor.")
            .ProducesProblems(StatusCodes.Status400BadRequest, ProblemTypes.Validation);
        group.MapGet("/{threadId:guid}", Get).WithSummary("Get an inbox thread with its messages, oldest first")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        group.MapPost("/{threadId:guid}/assign", Assign).WithSummary("Assign an inbox thread (to yourself when operatorId is omitted)")
            .ProducesProblems(StatusCodes.Status400BadRequest, ProblemTypes.Validation)
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        group.MapPost("/{threadId:guid}/reply", Reply).WithSummary("Reply to an inbox thread by email")
            .WithDescription("body (plain text, 1-100,000 characters) goes by email to the thread's sender, with In-Reply-To and References of the "
                + "thread's last inbound mail, and is kept in the thread as an outbound message (status queued, then sent or failed).")
            .ProducesProblems(StatusCodes.Status400BadRequest, ProblemTypes.Validation)
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        group.MapPost("/{threadId:guid}/close", Close).WithSummary("Close an inbox thread")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        group.MapPost("/{threadId:guid}/reopen", Reopen).WithSummary("Reopen a closed inbox thread")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        return group;
    }

    public static async Task<Results<Ok<InboxThreadPage>, ValidationProblem>> List(
        string? status, int? limit, string? cursor, HttpContext http, SupportInboxService inbox, CancellationToken cancellationToken)
    {
        var filter = string.IsNullOrEmpty(status) ? InboxListFilters.Open : status;
        if (!InboxListFilters.All.Contains(filter, StringComparer.Ordinal))
        {
            return Invalid("status", $"One of: {string.Join(", ", InboxListFilters.All)}.");
        }

        var me = OperatorId(http.User);
        if (filter == InboxListFilters.AssignedToMe && me is null)
        {
            return Invalid("status", "assigned_to_me needs an operator token (the platform key is no operator).");
        }

        if (limit is < 1 or > MaxLimit)
        {
            return Invalid("limit", $"Between 1 and {MaxLimit}.");
        }

        try
        {
            SupportInboxService.ReadCursor(cursor);
        }
        catch (FormatException)
        {
            return Invalid("cursor", "Not a cursor of this list: pass nextCursor of the previous page.");
        }

        return TypedResults.Ok(await inbox.ListAsync(filter, me, limit ?? DefaultLimit, cursor, cancellationToken));
    }

    public static async Task<Results<Ok<InboxThreadView>, ProblemHttpResult>> Get(
        Guid threadId, SupportInboxService inbox, CancellationToken cancellationToken) =>
        await inbox.GetAsync(threadId, cancellationToken) is { } thread ? TypedResults.Ok(thread) : NotFound(threadId);

    public static async Task<Results<Ok<InboxThreadView>, ValidationProblem, ProblemHttpResult>> Assign(
        Guid threadId, InboxAssignRequest? request, HttpContext http, SupportInboxService inbox, OperatorsDbContext operators, LivePushes pushes,
        CancellationToken cancellationToken)
    {
        var operatorId = request?.OperatorId ?? OperatorId(http.User);
        if (operatorId is null)
        {
            return Invalid("operatorId", "Required with the platform key (there is no 'self' to assign to).");
        }

        if (!await operators.Users.AsNoTracking().AnyAsync(o => o.Id == operatorId.Value, cancellationToken))
        {
            return Invalid("operatorId", "No operator has this id.");
        }

        var thread = await inbox.AssignAsync(threadId, operatorId.Value, http.User.SysActor(), cancellationToken);
        if (thread is null)
        {
            return NotFound(threadId);
        }

        pushes.InboxChanged(threadId, "assigned");
        return TypedResults.Ok(thread);
    }

    public static async Task<Results<Accepted<InboxMessageView>, ValidationProblem, ProblemHttpResult>> Reply(
        Guid threadId, InboxReplyRequest? request, HttpContext http, SupportInboxService inbox, WakeUps wakeUps, LivePushes pushes,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request?.Body) || request.Body.Length > SupportInboxService.MaxReplyLength)
        {
            return Invalid("body", $"Required: 1 to {SupportInboxService.MaxReplyLength.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} characters.");
        }

        var message = await inbox.ReplyAsync(threadId, request.Body, OperatorId(http.User), http.User.SysActor(), cancellationToken);
        if (message is null)
        {
            return NotFound(threadId);
        }

        await wakeUps.PublishAsync(SupportInboxService.WakeTopic);
        pushes.InboxChanged(threadId, "replied");
        return TypedResults.Accepted($"/sys/inbox/{threadId}", message);
    }

    public static async Task<Results<Ok<InboxThreadView>, ProblemHttpResult>> Close(
        Guid threadId, HttpContext http, SupportInboxService inbox, LivePushes pushes, CancellationToken cancellationToken) =>
        Pushed(await inbox.CloseAsync(threadId, http.User.SysActor(), cancellationToken), threadId, "closed", pushes);

    public static async Task<Results<Ok<InboxThreadView>, ProblemHttpResult>> Reopen(
        Guid threadId, HttpContext http, SupportInboxService inbox, LivePushes pushes, CancellationToken cancellationToken) =>
        Pushed(await inbox.ReopenAsync(threadId, http.User.SysActor(), cancellationToken), threadId, "reopened", pushes);

    /// <summary>The thread, pushed to operators as changed; or 404.</summary>
    private static Results<Ok<InboxThreadView>, ProblemHttpResult> Pushed(InboxThreadView? thread, Guid threadId, string reason, LivePushes pushes)
    {
        if (thread is null)
        {
            return NotFound(threadId);
        }

        pushes.InboxChanged(threadId, reason);
        return TypedResults.Ok(thread);
    }

    /// <summary>The operator of an operator token (null for the platform key).</summary>
    public static Guid? OperatorId(ClaimsPrincipal user) =>
        user.Identity?.AuthenticationType == OperatorTokenAuthenticationHandler.SchemeName
        && Guid.TryParse(user.FindFirst(JwtRegisteredClaimNames.Sub)?.Value, out var id) ? id : null;

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] },
            title: "The request is invalid.", detail: $"{field}: {message}", type: ProblemTypes.Validation);

    private static ProblemHttpResult NotFound(Guid threadId) =>
        TypedResults.Problem(statusCode: 404, type: ProblemTypes.NotFound, title: "Inbox thread not found.", detail: $"No inbox thread with id '{threadId}' exists.");
}
