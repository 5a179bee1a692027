using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Contexts;
using Comms.Core.Queueing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Comms.Api.Contexts;

/// <summary>
/// A context's scheduled messages (SPEC S7) under <c>/v1/contexts/{key}/messages</c> (also reachable as
/// <c>/events/{key}/messages…</c>, the seed's route, see <see cref="EventsMessagesAlias"/>). A key of the tenant or the
/// context owner's user token; writing with a key needs the editor or admin role. An edit or cancel after the message
/// left <c>draft|scheduled</c> answers 409 <c>COMMS_MESSAGE_NOT_EDITABLE</c>.
/// </summary>
public static partial class ScheduledMessagesApi
{
    private const string LogCategory = "Comms.Api.ScheduledMessages";

    public static RouteGroupBuilder MapScheduledMessagesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/contexts/{key}/messages").WithTags("Scheduled messages").RequireAuthorization(ContextHostAuth.Policy);

        group.MapGet("/", List)
            .WithSummary("List the context's scheduled messages and reminders")
            .WithDescription("Ordered by send time. Each has a friendly 'label' (\"7-day reminder\", \"3-day last call\", \"1-day reminder\", \"Day-of reminder\", \"Custom message\").")
            .ProducesContextProblems();
        group.MapGet("/recipient-count", Count)
            .WithSummary("How many members an audience preset holds right now")
            .WithDescription("audience: everyone (default; every member not removed or blocked), attending, pending, declined or maybe. Answers { count }.")
            .ProducesContextProblems();
        group.MapPost("/", Create)
            .WithSummary("Create a scheduled message (a draft, or scheduled for sendAt)")
            .WithDescription("{ audience, channels, subject, body, status: draft | scheduled, sendAt? }. Subject and body may use {{guest_name}}, {{event_name}}, "
                + "{{event_date}} (in each recipient's time zone and locale), {{venue}} and {{rsvp_link}}.")
            .ProducesContextProblems();
        group.MapGet("/{messageId:guid}", Get)
            .WithSummary("Get a scheduled message with its per-recipient outcomes")
            .WithDescription("deliveries: one per recipient once it fired — submitted (with each channel's message status or blocking decision) or failed (with the error).")
            .ProducesContextProblems().ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        group.MapPatch("/{messageId:guid}", Update)
            .WithSummary("Change a draft or scheduled message")
            .WithDescription("Fields left out keep their value; status may move between draft and scheduled.")
            .ProducesContextProblems().ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ScheduledMessageService.NotEditable);
        group.MapPost("/{messageId:guid}/send-now", SendNow)
            .WithSummary("Send a draft or scheduled message now")
            .WithDescription("Answers 202: the message is scheduled for now and the scheduler fires it at once; follow it with GET.")
            .ProducesContextProblems().ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ScheduledMessageService.NotEditable);
        group.MapDelete("/{messageId:guid}", Cancel)
            .WithSummary("Cancel a draft or scheduled message")
            .WithDescription("Answers 200 with the cancelled message (it stays listed under Cancelled).")
            .ProducesContextProblems().ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ScheduledMessageService.NotEditable);
        return group;
    }

    private static RouteHandlerBuilder ProducesContextProblems(this RouteHandlerBuilder endpoint) => endpoint
        .ProducesProblems(StatusCodes.Status403Forbidden, ProblemTypes.Forbidden)
        .ProducesProblems(StatusCodes.Status404NotFound, ContextService.ContextNotFound);

    public static async Task<Results<Ok<IReadOnlyList<ScheduledMessageView>>, ProblemHttpResult>> List(
        string key, HttpContext http, [FromServices] ContextService contexts, [FromServices] ScheduledMessageService messages, CancellationToken cancellationToken)
    {
        var (context, refused) = await AccessAsync(key, http, contexts, writing: false, cancellationToken);
        return context is null ? refused! : TypedResults.Ok(await messages.ListAsync(context, cancellationToken));
    }

    public static async Task<Results<Ok<RecipientCount>, ValidationProblem, ProblemHttpResult>> Count(
        string key, string? audience, HttpContext http, [FromServices] ContextService contexts, [FromServices] ScheduledMessageService messages,
        CancellationToken cancellationToken)
    {
        if (audience is not null && !MessageAudience.IsKnown(audience))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["audience"] = [$"audience must be one of: {string.Join(", ", MessageAudience.All)}."] },
                title: "The query is invalid.", type: ProblemTypes.Validation);
        }

        var (context, refused) = await AccessAsync(key, http, contexts, writing: false, cancellationToken);
        return context is null ? refused! : TypedResults.Ok(new RecipientCount(await messages.CountAsync(context, audience ?? MessageAudience.Everyone, cancellationToken)));
    }

    public static async Task<Results<Created<ScheduledMessageView>, ValidationProblem, ProblemHttpResult>> Create(
        string key, [FromBody] ScheduledMessageRequest? request, HttpContext http, [FromServices] ContextService contexts,
        [FromServices] ScheduledMessageService messages, [FromServices] WakeUps wakeUps, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var (context, refused) = await AccessAsync(key, http, contexts, writing: true, cancellationToken);
        if (context is null)
        {
            return refused!;
        }

        var created = await messages.CreateAsync(context, request, cancellationToken);
        if (created.Message is not { } message)
        {
            return Invalid(created.Errors!);
        }

        LogChanged(logs.CreateLogger(LogCategory), context.TenantId, message.Id, "created " + message.Status);
        await WakeIfDueAsync(message, wakeUps);
        return TypedResults.Created($"{ContextsApi.Location(key)}/messages/{message.Id}", message);
    }

    public static async Task<Results<Ok<ScheduledMessageDetails>, ProblemHttpResult>> Get(
        string key, Guid messageId, HttpContext http, [FromServices] ContextService contexts, [FromServices] ScheduledMessageService messages,
        CancellationToken cancellationToken)
    {
        var (context, refused) = await AccessAsync(key, http, contexts, writing: false, cancellationToken);
        if (context is null)
        {
            return refused!;
        }

        return await messages.GetAsync(context, messageId, cancellationToken) is { } details ? TypedResults.Ok(details) : MessageNotFound(messageId);
    }

    public static Task<Results<Ok<ScheduledMessageView>, ValidationProblem, ProblemHttpResult>> Update(
        string key, Guid messageId, [FromBody] ScheduledMessageRequest? request, HttpContext http, [FromServices] ContextService contexts,
        [FromServices] ScheduledMessageService messages, [FromServices] WakeUps wakeUps, ILoggerFactory logs, CancellationToken cancellationToken) =>
        ChangeAsync(key, messageId, http, contexts, logs, wakeUps, "updated", context => messages.UpdateAsync(context, messageId, request, cancellationToken),
            view => TypedResults.Ok(view), cancellationToken);

    public static Task<Results<Accepted<ScheduledMessageView>, ValidationProblem, ProblemHttpResult>> SendNow(
        string key, Guid messageId, HttpContext http, [FromServices] ContextService contexts, [FromServices] ScheduledMessageService messages,
        [FromServices] WakeUps wakeUps, ILoggerFactory logs, CancellationToken cancellationToken) =>
        ChangeAsync(key, messageId, http, contexts, logs, wakeUps, "sent now", context => messages.SendNowAsync(context, messageId, cancellationToken),
            view => TypedResults.Accepted($"{ContextsApi.Location(key)}/messages/{view.Id}", view), cancellationToken);

    public static Task<Results<Ok<ScheduledMessageView>, ValidationProblem, ProblemHttpResult>> Cancel(
        string key, Guid messageId, HttpContext http, [FromServices] ContextService contexts, [FromServices] ScheduledMessageService messages,
        [FromServices] WakeUps wakeUps, ILoggerFactory logs, CancellationToken cancellationToken) =>
        ChangeAsync(key, messageId, http, contexts, logs, wakeUps, "cancelled", context => messages.CancelAsync(context, messageId, cancellationToken),
            view => TypedResults.Ok(view), cancellationToken);

    private static async Task<Results<TOk, ValidationProblem, ProblemHttpResult>> ChangeAsync<TOk>(
        string key, Guid messageId, HttpContext http, ContextService contexts, ILoggerFactory logs, WakeUps wakeUps, string what,
        Func<Context, Task<MessageChange>> change, Func<ScheduledMessageView, TOk> ok, CancellationToken cancellationToken)
        where TOk : IResult
    {
        var (context, refused) = await AccessAsync(key, http, contexts, writing: true, cancellationToken);
        if (context is null)
        {
            return refused!;
        }

        var result = await change(context);
        if (result.Message is { } message)
        {
            LogChanged(logs.CreateLogger(LogCategory), context.TenantId, message.Id, what);
            await WakeIfDueAsync(message, wakeUps);
            return ok(message);
        }

        return result.Problem switch
        {
            ScheduledMessageService.NotFound => MessageNotFound(messageId),
            ScheduledMessageService.NotEditable => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, type: ScheduledMessageService.NotEditable,
                title: "The message can no longer be changed.",
                detail: $"The message is {result.Status}; only draft and scheduled messages can be edited, sent now or cancelled."),
            _ => Invalid(result.Errors!),
        };
    }

    /// <summary>The context, if it exists in the caller's tenant and the caller may act on it; else the refusal.</summary>
    private static async Task<(Context? Context, ProblemHttpResult? Refused)> AccessAsync(
        string key, HttpContext http, ContextService contexts, bool writing, CancellationToken cancellationToken)
    {
        var context = await contexts.FindAsync(http.User.TenantId(), key, cancellationToken);
        if (context is null)
        {
            return (null, ContextsApi.ContextNotFound(key));
        }

        return http.User.MayAct(context, writing) ? (context, null) : (null, ContextHostAuth.Forbidden(http.User));
    }

    /// <summary>A message that is due now (send-now, or scheduled in the past second) wakes the schedulers at once.</summary>
    private static async Task WakeIfDueAsync(ScheduledMessageView message, WakeUps wakeUps)
    {
        if (message.Status == ScheduledMessageStatus.Scheduled)
        {
            await wakeUps.PublishAsync(ScheduledMessageScheduler.WakeTopic);
        }
    }

    private static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The scheduled message is invalid; nothing was stored.", type: ProblemTypes.Validation);

    private static ProblemHttpResult MessageNotFound(Guid id) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound,
        title: "Scheduled message not found.", detail: $"The context has no scheduled message {id}.");

    [LoggerMessage(1, LogLevel.Information, "Scheduled message {MessageId} of tenant {Tenant} {What}")]
    private static partial void LogChanged(ILogger logger, string tenant, Guid messageId, string what);
}
