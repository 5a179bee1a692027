using Comms.Api.Auth;
using Comms.Api.Banners;
using Comms.Api.OpenApi;
using Comms.Core.Broadcasts;
using Comms.Realtime;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Comms.Api.Sys;

/// <summary>
/// Sending a broadcast: the operator's own test send, the send (412 unless this very operator test-sent it within 30
/// minutes, so a handover forces a fresh test; fresh-auth), and pause, resume and cancel.
/// </summary>
public static partial class SysBroadcastsApi
{
    private static void MapSendEndpoints(this RouteGroupBuilder group)
    {
        group.MapPost("/{id:guid}/test-send", TestSend).WithSummary("Send the broadcast to yourself on every selected channel")
            .WithDescription("Email and push go to your operator address through the pipeline, the banner as an in-app item to your own recipient row "
                + "in the audience's first tenant. Unlocks the send for you (only you) for 30 minutes. Needs an operator token.")
            .ProducesProblems(StatusCodes.Status403Forbidden, ProblemTypes.Forbidden)
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.Conflict)
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, ProblemTypes.Validation, ProblemTypes.UnknownEvent, ProblemTypes.PayloadInvalid);
        group.MapPost("/{id:guid}/send", Send).WithSummary("Send the broadcast (after your own test send; fresh-auth)")
            .WithDescription("412 SysBroadcastTestSendRequired unless you test-sent this broadcast within the last 30 minutes. Then 202: the status is "
                + "sending, and sent when every message is out (GET shows the progress). The banner channel activates a banner at once.")
            .ProducesProblems(StatusCodes.Status403Forbidden, ProblemTypes.Forbidden)
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.Conflict)
            .ProducesProblems(StatusCodes.Status412PreconditionFailed, ProblemTypes.SysBroadcastTestSendRequired)
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, ProblemTypes.Validation, ProblemTypes.UnknownEvent, ProblemTypes.PayloadInvalid)
            .RequireFreshAuth();
        group.MapPost("/{id:guid}/pause", Pause).WithSummary("Pause a sending broadcast (nothing more goes out until resumed)")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.Conflict);
        group.MapPost("/{id:guid}/resume", Resume).WithSummary("Resume a paused broadcast where it stopped")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.Conflict);
        group.MapPost("/{id:guid}/cancel", Cancel).WithSummary("Cancel a sending or paused broadcast (what is not out yet is not sent; the banner ends)")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.Conflict);
    }

    public static async Task<Results<Accepted<BroadcastSendReceipt>, ProblemHttpResult>> TestSend(
        Guid id, BroadcastSender sender, HttpContext http, CancellationToken cancellationToken)
    {
        if (SysDirectMessagesApi.Operator(http.User) is not { } op)
        {
            return OperatorRequired();
        }

        return Answer(await sender.TestSendAsync(op, id, cancellationToken), id, null, null);
    }

    public static async Task<Results<Accepted<BroadcastSendReceipt>, ProblemHttpResult>> Send(
        Guid id, BroadcastSender sender, LivePushes pushes, BannerScheduler scheduler, HttpContext http, CancellationToken cancellationToken)
    {
        if (SysDirectMessagesApi.Operator(http.User) is not { } op)
        {
            return OperatorRequired();
        }

        return Answer(await sender.SendAsync(op, id, cancellationToken), id, pushes, scheduler);
    }

    public static Task<Results<Ok<BroadcastView>, ProblemHttpResult>> Pause(
        Guid id, BroadcastControl control, BroadcastService broadcasts, HttpContext http, CancellationToken cancellationToken) =>
        ControlAsync(id, control.PauseAsync(id, http.User.SysActor(), cancellationToken), broadcasts, null, cancellationToken);

    public static Task<Results<Ok<BroadcastView>, ProblemHttpResult>> Resume(
        Guid id, BroadcastControl control, BroadcastService broadcasts, HttpContext http, CancellationToken cancellationToken) =>
        ControlAsync(id, control.ResumeAsync(id, http.User.SysActor(), cancellationToken), broadcasts, null, cancellationToken);

    public static Task<Results<Ok<BroadcastView>, ProblemHttpResult>> Cancel(
        Guid id, BroadcastControl control, BroadcastService broadcasts, LivePushes pushes, HttpContext http, CancellationToken cancellationToken) =>
        ControlAsync(id, control.CancelAsync(id, http.User.SysActor(), cancellationToken), broadcasts, pushes, cancellationToken);

    private static async Task<Results<Ok<BroadcastView>, ProblemHttpResult>> ControlAsync(
        Guid id, Task<BroadcastControl.Result> change, BroadcastService broadcasts, LivePushes? pushes, CancellationToken cancellationToken)
    {
        switch (await change)
        {
            case BroadcastControl.Result.Done done:
                if (done.Banner is { } audience)
                {
                    pushes?.BannersChanged(audience);
                }

                return TypedResults.Ok((await broadcasts.GetAsync(id, cancellationToken))!);
            case BroadcastControl.Result.Refused refused:
                return Problem(refused.Outcome, id);
            default:
                throw new InvalidOperationException("Unknown result.");
        }
    }

    private static Results<Accepted<BroadcastSendReceipt>, ProblemHttpResult> Answer(
        BroadcastSender.Result result, Guid id, LivePushes? pushes, BannerScheduler? scheduler)
    {
        switch (result)
        {
            case BroadcastSender.Result.Done done:
                if (done.Banner is { } audience)
                {
                    pushes?.BannersChanged(audience);
                    scheduler?.Wake();
                }

                return TypedResults.Accepted($"/sys/broadcasts/{id}", done.Receipt);
            case BroadcastSender.Result.Refused refused:
                return Problem(refused.Outcome, id);
            case BroadcastSender.Result.Failed failed:
                return TypedResults.Problem(statusCode: 422, type: failed.Code, title: "The broadcast could not be sent.", detail: failed.Detail);
            default:
                throw new InvalidOperationException("Unknown result.");
        }
    }

    private static ProblemHttpResult OperatorRequired() =>
        TypedResults.Problem(statusCode: 403, type: ProblemTypes.Forbidden, title: "An operator token is required.",
            detail: "A broadcast is test-sent and sent by a person: use an operator token from POST /sys/auth/token, not the platform key.");
}
