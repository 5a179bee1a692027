using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Contexts;
using Comms.Core.Recipients;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Comms.Api.Contexts;

/// <summary>
/// Contexts (SPEC S7/S8): the host product mirrors its groupings (an event with guests, a game, a project) under its
/// own key, with an owner, optional date, time zone and venue, members with an RSVP or membership status, and a
/// lifecycle (paused / cancelled / resumed). Writing needs an editor or admin key; reading takes any key of the tenant
/// or the owner's user token.
/// </summary>
public static partial class ContextsApi
{
    private const string LogCategory = "Comms.Api.Contexts";

    public static RouteGroupBuilder MapContextsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/contexts").WithTags("Contexts");

        group.MapPut("/{key}", Put)
            .WithSummary("Create or update a context by key")
            .WithDescription("An upsert: 201 when created, 200 when updated; fields left out keep their value (kind, name and ownerExternalId are required "
                + "to create). 'date' is ISO 8601 with an offset, or local to 'timeZone'. Creating a dated context seeds its four reminders "
                + "(7-day, 3-day last call, 1-day, day-of), skipping those already past; moving the date re-times those still scheduled.")
            .RequireAuthorization(AuthExtensions.EditorPolicy);
        group.MapGet("/{key}", Get)
            .WithSummary("Get a context with its members and the count per member status")
            .ProducesProblems(StatusCodes.Status403Forbidden, ProblemTypes.Forbidden)
            .ProducesProblems(StatusCodes.Status404NotFound, ContextService.ContextNotFound)
            .RequireAuthorization(ContextHostAuth.Policy);
        group.MapPut("/{key}/members/{externalId}", PutMember)
            .WithSummary("Add a member or change their status")
            .WithDescription("status: an RSVP (attending, pending, declined, maybe) or a membership (active, removed, blocked); 201 when the recipient "
                + "joins, 200 when their status changes. 'displayName' (optional) is the name shown; by default the recipient's name when they joined.")
            .ProducesProblems(StatusCodes.Status404NotFound, ContextService.ContextNotFound, ProblemTypes.RecipientNotFound)
            .RequireAuthorization(AuthExtensions.EditorPolicy);
        group.MapDelete("/{key}/members/{externalId}", DeleteMember)
            .WithSummary("Remove a member (their status becomes removed)")
            .WithDescription("The member's row stays with status 'removed' (mail addressed to them stays readable to them). Idempotent.")
            .ProducesProblems(StatusCodes.Status404NotFound, ContextService.ContextNotFound, ContextService.MemberNotFound)
            .RequireAuthorization(AuthExtensions.EditorPolicy);
        group.MapPost("/{key}/status", ChangeStatus)
            .WithSummary("Pause, cancel or resume a context")
            .WithDescription("status: paused, cancelled or resumed. Repeating the current state changes nothing; a cancelled context cannot be paused "
                + "or resumed (409 COMMS_CONTEXT_STATUS_CONFLICT). Cancelling cancels its scheduled messages that have not fired; while paused none fires.")
            .ProducesProblems(StatusCodes.Status404NotFound, ContextService.ContextNotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ContextService.StatusConflict)
            .RequireAuthorization(AuthExtensions.EditorPolicy);
        return group;
    }

    public static async Task<Results<Created<ContextView>, Ok<ContextView>, ValidationProblem>> Put(
        string key, [FromBody] ContextRequest? request, HttpContext http, [FromServices] ContextService contexts, ILoggerFactory logs,
        CancellationToken cancellationToken)
    {
        if (!ContextValidator.IsKey(key))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["key"] = [ContextValidator.KeyRule] },
                title: "The context key is invalid; nothing was stored.", type: ProblemTypes.Validation);
        }

        var tenant = http.User.TenantId();
        var saved = await contexts.UpsertAsync(tenant, key, request, cancellationToken);
        if (saved.Context is not { } context)
        {
            return TypedResults.ValidationProblem(saved.Errors!, title: "The context is invalid; nothing was stored.", type: ProblemTypes.Validation);
        }

        LogSaved(logs.CreateLogger(LogCategory), tenant, saved.Created);
        return saved.Created ? TypedResults.Created(Location(key), context) : TypedResults.Ok(context);
    }

    public static async Task<Results<Ok<ContextView>, ProblemHttpResult>> Get(
        string key, HttpContext http, [FromServices] ContextService contexts, CancellationToken cancellationToken)
    {
        var view = await contexts.GetAsync(http.User.TenantId(), key, cancellationToken);
        if (view is null)
        {
            return ContextNotFound(key);
        }

        return http.User.IsEndUser() && http.User.ExternalId() != view.OwnerExternalId ? ContextHostAuth.Forbidden(http.User) : TypedResults.Ok(view);
    }

    public static async Task<Results<Created<MemberView>, Ok<MemberView>, ValidationProblem, ProblemHttpResult>> PutMember(
        string key, string externalId, [FromBody] MemberRequest? request, HttpContext http, [FromServices] ContextService contexts,
        CancellationToken cancellationToken)
    {
        var errors = ContextValidator.ValidateMember(request, externalId);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The member change is invalid; nothing was stored.", type: ProblemTypes.Validation);
        }

        var (member, created, problem) = await contexts.SetMemberAsync(http.User.TenantId(), key, externalId, request!, cancellationToken);
        return problem switch
        {
            ContextService.ContextNotFound => ContextNotFound(key),
            ContextService.OwnerNotFound => Recipients.RecipientsApi.RecipientNotFound(externalId),
            _ when created => TypedResults.Created($"{Location(key)}/members/{Uri.EscapeDataString(externalId)}", member!),
            _ => TypedResults.Ok(member!),
        };
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteMember(
        string key, string externalId, HttpContext http, [FromServices] ContextService contexts, CancellationToken cancellationToken) =>
        await contexts.RemoveMemberAsync(http.User.TenantId(), key, externalId, cancellationToken) switch
        {
            null => TypedResults.NoContent(),
            ContextService.ContextNotFound => ContextNotFound(key),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, type: ContextService.MemberNotFound, title: "Member not found.",
                detail: $"The context has no member {RecipientFormats.Quote(externalId)}."),
        };

    public static async Task<Results<Ok<ContextView>, ValidationProblem, ProblemHttpResult>> ChangeStatus(
        string key, [FromBody] ContextStatusRequest? request, HttpContext http, [FromServices] ContextService contexts, ILoggerFactory logs,
        CancellationToken cancellationToken)
    {
        if (request?.Status is not ("paused" or "cancelled" or "resumed"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["status must be one of: paused, cancelled, resumed."] },
                title: "The status change is invalid.", type: ProblemTypes.Validation);
        }

        var tenant = http.User.TenantId();
        var (view, problem, detail) = await contexts.ChangeStatusAsync(tenant, key, request.Status, cancellationToken);
        if (problem == ContextService.ContextNotFound)
        {
            return ContextNotFound(key);
        }

        if (problem is not null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, type: problem, title: "The context cannot change so.", detail: detail);
        }

        LogStatusChanged(logs.CreateLogger(LogCategory), tenant, request.Status);
        return TypedResults.Ok(view!);
    }

    internal static string Location(string key) => $"/v1/contexts/{Uri.EscapeDataString(key)}";

    internal static ProblemHttpResult ContextNotFound(string key) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, type: ContextService.ContextNotFound,
            title: "Context not found.", detail: $"The tenant has no context with key {RecipientFormats.Quote(key)}.");

    [LoggerMessage(1, LogLevel.Information, "Context of tenant {Tenant} saved (created: {Created})")]
    private static partial void LogSaved(ILogger logger, string tenant, bool created);

    [LoggerMessage(2, LogLevel.Information, "Context of tenant {Tenant} {Status}")]
    private static partial void LogStatusChanged(ILogger logger, string tenant, string status);
}
