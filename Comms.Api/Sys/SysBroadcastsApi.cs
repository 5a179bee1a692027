using Comms.Api.Auth;
using Comms.Api.Banners;
using Comms.Api.OpenApi;
using Comms.Core.Broadcasts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Comms.Api.Sys;

/// <summary>
/// Broadcasts (issue 12): the platform writes to many users across tenants. Drafts are composed and changed here, the
/// audience counted live; <see cref="SysBroadcastsSendApi"/> test-sends, sends, pauses, resumes and cancels them.
/// </summary>
public static partial class SysBroadcastsApi
{
    public static RouteGroupBuilder MapSysBroadcastsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sys/broadcasts").WithTags("Sys: broadcasts").RequireAuthorization(AuthExtensions.SysPolicy);
        group.MapPost("/", Create).WithSummary("Compose a broadcast (a draft)")
            .WithDescription("Give title, audience ({\"allTenants\":true}, {\"tenants\":[...]}, {\"roles\":[...]} or {\"filter\":{\"attributes\":{...},\"roles\":[...]}}), "
                + "channels (banner, email, push), subject and body (Liquid; content.{channel} overrides them per channel) and for the banner optionally "
                + "banner {kind, severity, endsAt}. A Liquid error is 422 naming the field.")
            .ProducesProblems(StatusCodes.Status400BadRequest, ProblemTypes.Validation, ProblemTypes.BadRequest)
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, ProblemTypes.Validation);
        group.MapPut("/{id:guid}", Update).WithSummary("Change a broadcast while it is a draft (clears every test send)")
            .ProducesProblems(StatusCodes.Status400BadRequest, ProblemTypes.Validation, ProblemTypes.BadRequest)
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.Conflict)
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, ProblemTypes.Validation);
        group.MapGet("/", List).WithSummary("List broadcasts, newest first (page with 'after', the nextCursor of the previous page)")
            .ProducesProblems(StatusCodes.Status400BadRequest, ProblemTypes.Validation);
        group.MapGet("/{id:guid}", Get).WithSummary("Get a broadcast with its progress per channel (queued, sent, failed, suppressed, cancelled)")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        group.MapGet("/{id:guid}/audience-count", AudienceCount).WithSummary("Count the broadcast's audience now (recipients and tenants)")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        group.MapSendEndpoints();
        return group;
    }

    public static async Task<Results<Created<BroadcastView>, ProblemHttpResult>> Create(
        BroadcastRequest? request, BroadcastService broadcasts, HttpContext http, CancellationToken cancellationToken)
    {
        if (Invalid(request, out var audience) is { } problem)
        {
            return problem;
        }

        return await broadcasts.CreateAsync(request!, audience!, http.User.SysActor(), cancellationToken) switch
        {
            BroadcastOutcome.Done done => TypedResults.Created($"/sys/broadcasts/{done.View.Id}", done.View),
            var other => Problem(other),
        };
    }

    public static async Task<Results<Ok<BroadcastView>, ProblemHttpResult>> Update(
        Guid id, BroadcastRequest? request, BroadcastService broadcasts, HttpContext http, CancellationToken cancellationToken)
    {
        if (Invalid(request, out var audience) is { } problem)
        {
            return problem;
        }

        return await broadcasts.UpdateAsync(id, request!, audience!, http.User.SysActor(), cancellationToken) switch
        {
            BroadcastOutcome.Done done => TypedResults.Ok(done.View),
            var other => Problem(other, id),
        };
    }

    public static async Task<Results<Ok<BroadcastPage>, ProblemHttpResult>> List(
        Guid? after, int? limit, string? status, BroadcastService broadcasts, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > BroadcastLimits.MaxPageSize)
        {
            return Validation(400, "limit", $"limit must be between 1 and {BroadcastLimits.MaxPageSize}.");
        }

        if (status is not null and not (BroadcastStatus.Draft or BroadcastStatus.Sending or BroadcastStatus.Paused or BroadcastStatus.Sent
            or BroadcastStatus.Cancelled))
        {
            return Validation(400, "status", "status is one of draft, sending, paused, sent, cancelled.");
        }

        return TypedResults.Ok(await broadcasts.ListAsync(after, status, limit ?? 20, cancellationToken));
    }

    public static async Task<Results<Ok<BroadcastView>, ProblemHttpResult>> Get(Guid id, BroadcastService broadcasts, CancellationToken cancellationToken) =>
        await broadcasts.GetAsync(id, cancellationToken) is { } view ? TypedResults.Ok(view) : NotFound(id);

    public static async Task<Results<Ok<BroadcastAudienceCount>, ProblemHttpResult>> AudienceCount(
        Guid id, BroadcastService broadcasts, CancellationToken cancellationToken)
    {
        if (await broadcasts.GetAudienceAsync(id, cancellationToken) is not { } audience)
        {
            return NotFound(id);
        }

        return TypedResults.Ok(await broadcasts.CountAsync(audience, cancellationToken));
    }

    /// <summary>400 when there is no JSON object at all; 422 naming each invalid field (a Liquid error included).</summary>
    private static ProblemHttpResult? Invalid(BroadcastRequest? request, out BroadcastAudience? audience)
    {
        audience = null;
        if (request is null)
        {
            return Validation(400, "body", "The request body must be a JSON object: { title, audience, channels, subject, body }.");
        }

        var errors = BroadcastValidation.Validate(request, out audience);
        return errors.Count == 0 ? null : TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status422UnprocessableEntity, Type = ProblemTypes.Validation, Title = "The broadcast is invalid.",
        });
    }

    private static ProblemHttpResult Validation(int status, string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = status, Type = ProblemTypes.Validation, Title = "The request is invalid.",
        });

    internal static ProblemHttpResult Problem(BroadcastOutcome outcome, Guid id = default) => outcome switch
    {
        BroadcastOutcome.NotFound => NotFound(id),
        BroadcastOutcome.WrongState wrong => TypedResults.Problem(statusCode: 409, type: ProblemTypes.Conflict,
            title: "The broadcast is not in a state that allows this.", detail: $"The broadcast is {wrong.Status}.",
            extensions: new Dictionary<string, object?> { ["status"] = wrong.Status }),
        BroadcastOutcome.Invalid invalid => TypedResults.Problem(new HttpValidationProblemDetails(invalid.Errors)
        {
            Status = StatusCodes.Status422UnprocessableEntity, Type = ProblemTypes.Validation, Title = "The broadcast is invalid.",
        }),
        BroadcastOutcome.TestSendRequired => TypedResults.Problem(statusCode: 412, type: ProblemTypes.SysBroadcastTestSendRequired,
            title: "Send a test first.",
            detail: "Test-send this broadcast yourself (POST /sys/broadcasts/{id}/test-send); the send is allowed to you for 30 minutes after that."),
        _ => throw new InvalidOperationException("Unknown outcome."),
    };

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: 404, type: ProblemTypes.NotFound, title: "Broadcast not found.", detail: $"No broadcast '{id}' exists.");
}
