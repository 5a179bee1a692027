using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Data;
using Comms.Core.Links;
using Comms.Core.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Comms.Api.Messages;

/// <summary>
/// The tenant's messages (SPEC S4 dead letters): list with filters, one message's delivery state, and resend of failed
/// or bounced ones (one, or in bulk), audited.
/// </summary>
public static class MessagesApi
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    public static RouteGroupBuilder MapMessagesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/messages").WithTags("Messages").RequireAuthorization(AuthExtensions.ServicePolicy);
        group.MapGet("/", List)
            .WithSummary("List the tenant's messages, newest first")
            .WithDescription("Filters: status (queued, sent, delivered, bounced, complained, failed, cancelled; e.g. status=failed for the dead letters), channel, provider (of the latest attempt: smtp, sendgrid, fcm, expo, twilio, webhook, inapp), recipient (external id), event (id), from and to (creation time, ISO 8601). Page with 'before' (the nextBefore of the previous page); limit 1-200 (default 50).");
        group.MapGet("/{id:guid}", Get)
            .WithSummary("Get one message's delivery state")
            .WithDescription("Status, attempts, lastError, providerMessageId, provider (of the latest attempt), timestamps, channel and recipient external id, 'attemptHistory': every attempt through a provider (number, provider, started/finished, outcome sent/transient/permanent, status code, short response summary, provider message id, error code), and 'clicks': the clicks on its tracked links (SPEC S11), in total and per link (index, target url, clicks).")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        group.MapPost("/{id:guid}/resend", MessageResendHandlers.ResendOne)
            .WithSummary("Re-send a failed or bounced message")
            .WithDescription("Puts the same message back in the queue with its attempts reset (202). 409 COMMS_MESSAGE_NOT_RESENDABLE unless it is failed or bounced; 409 COMMS_SUPPRESSED when its address is on the suppression list; 409 COMMS_RECIPIENT_ERASED when its recipient was erased. Audited as message.resend.")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.MessageNotResendable, ProblemTypes.Suppressed, ProblemTypes.RecipientErased);
        group.MapPost("/resend", MessageResendHandlers.ResendMany)
            .WithSummary("Re-send failed or bounced messages in bulk")
            .WithDescription("By 'ids' (at most 1,000) or by 'filter' (the filters of the list; status failed or bounced) with 'max' messages at most (default 1,000, at most 10,000). Messages that are not failed or bounced are left alone, and so are those whose address is suppressed (counted). Each requeued message is audited as message.resend.");
        return group;
    }

    public static async Task<Results<Ok<MessagePage>, ValidationProblem>> List(
        string? status, string? channel, string? recipient, Guid? @event, DateTimeOffset? from, DateTimeOffset? to, string? provider, Guid? before,
        int? limit, HttpContext http, CommsDbContext db, CancellationToken cancellationToken)
    {
        var filter = new MessageFilter(status, channel, recipient, @event, from, to, provider);
        var errors = MessageLog.Validate(filter, "");
        if (limit is < 1 or > MaxPageSize)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxPageSize}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The query is invalid.", type: ProblemTypes.Validation);
        }

        var query = MessageLog.Apply(db, db.Messages.AsNoTracking().Where(m => m.TenantId == http.User.TenantId()), filter);
        if (before is { } cursor)
        {
            query = query.Where(m => m.Id.CompareTo(cursor) < 0);
        }

        var size = limit ?? DefaultPageSize;
        var rows = await Project(db, query.OrderByDescending(m => m.Id)).Take(size + 1).ToListAsync(cancellationToken);
        var page = rows.Take(size).ToList();
        return TypedResults.Ok(new MessagePage(page, rows.Count > size ? page[^1].Id : null));
    }

    public static async Task<Results<Ok<MessageView>, ProblemHttpResult>> Get(Guid id, HttpContext http, CommsDbContext db, CancellationToken cancellationToken)
    {
        var tenantId = http.User.TenantId();
        var message = await Project(db, db.Messages.AsNoTracking().Where(m => m.TenantId == tenantId && m.Id == id)).FirstOrDefaultAsync(cancellationToken);
        return message is null
            ? NotFound()
            : TypedResults.Ok(message with
            {
                Clicks = await LinkClicks.ForMessageAsync(db, tenantId, id, cancellationToken),
                AttemptHistory = await db.MessageAttempts.AsNoTracking().Where(a => a.TenantId == tenantId && a.MessageId == id)
                    .OrderBy(a => a.StartedAt).ThenBy(a => a.Id)
                    .Select(a => new AttemptView(a.Attempt, a.Provider, a.Outcome, a.StartedAt, a.FinishedAt, a.StatusCode, a.Response,
                        a.ProviderMessageId, a.ErrorCode))
                    .ToListAsync(cancellationToken),
            });
    }

    private static IQueryable<MessageView> Project(CommsDbContext db, IQueryable<Message> query) =>
        from m in query
        join r in db.Recipients on m.RecipientId equals r.Id
        select new MessageView(m.Id, m.EventId, m.Channel, m.Category, r.ExternalId, m.TemplateName, m.TemplateVersion, m.Status, m.Attempts,
            m.LastError, m.ProviderMessageId, m.Provider, m.CreatedAt, m.DueAt, m.SentAt, m.FailedAt);

    internal static ProblemHttpResult NotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound, title: "Message not found.",
            detail: "The tenant has no message of that id.");
}
