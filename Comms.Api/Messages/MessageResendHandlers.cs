using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Audit;
using Comms.Core.Data;
using Comms.Core.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Comms.Api.Messages;

/// <summary><c>POST /v1/messages/{id}/resend</c> and <c>POST /v1/messages/resend</c>.</summary>
public static partial class MessageResendHandlers
{
    public const int MaxIds = 1000;
    public const int DefaultMax = 1000;
    public const int MaxMax = 10_000;

    public static async Task<Results<Accepted<MessageView>, ProblemHttpResult>> ResendOne(
        Guid id, HttpContext http, CommsDbContext db, [FromServices] MessageResend resend, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var tenantId = http.User.TenantId();
        var status = await db.Messages.AsNoTracking().Where(m => m.TenantId == tenantId && m.Id == id).Select(m => m.Status).FirstOrDefaultAsync(cancellationToken);
        if (status is null)
        {
            return MessagesApi.NotFound();
        }

        if (!MessageStatus.Resendable.Contains(status))
        {
            return NotResendable(status);
        }

        if (await db.Messages.AnyAsync(m => m.Id == id && db.Recipients.Any(r => r.Id == m.RecipientId && r.ErasedAt != null), cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, type: ProblemTypes.RecipientErased, title: "The message's recipient was erased.",
                detail: "Its recipient was erased: its address and content are gone, and it is never sent again.");
        }

        var result = await resend.ResendAsync(tenantId, (_, q) => q.Where(m => m.Id == id), 1, AuditLog.ApiKeyActor(http.User.ApiKeyId()), bulk: false, cancellationToken);
        if (result.Suppressed.Count > 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, type: ProblemTypes.Suppressed, title: "The message's address is suppressed.",
                detail: "Its address is on the tenant's suppression list (a hard bounce, a complaint or a STOP); it was not re-sent.");
        }

        if (result.Requeued.Count == 0)
        {
            // Its status changed between the look and the requeue (another resend, most likely).
            var now = await db.Messages.AsNoTracking().Where(m => m.Id == id).Select(m => m.Status).FirstAsync(cancellationToken);
            return NotResendable(now);
        }

        LogResent(logs.CreateLogger("Comms.Api.Messages"), tenantId, 1, http.User.Actor());
        var view = await MessagesApi.Get(id, http, db, cancellationToken);
        return TypedResults.Accepted($"/v1/messages/{id}", ((Ok<MessageView>)view.Result).Value);
    }

    public static async Task<Results<Ok<ResendAnswer>, ValidationProblem>> ResendMany(
        [FromBody] BulkResendRequest? request, HttpContext http, [FromServices] MessageResend resend, ILoggerFactory logs,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request is null || (request.Ids is null) == (request.Filter is null))
        {
            errors["body"] = ["Give either 'ids' (message ids) or 'filter' (e.g. { \"status\": \"failed\", \"channel\": \"email\" }), not both."];
        }
        else if (request.Ids is { } ids && (ids.Count == 0 || ids.Count > MaxIds))
        {
            errors["ids"] = [$"Give 1-{MaxIds} message ids."];
        }
        else if (request.Filter is { } filter)
        {
            foreach (var (key, value) in MessageLog.Validate(filter, "filter."))
            {
                errors[key] = value;
            }

            if (filter.Status is { } status && !MessageStatus.Resendable.Contains(status) && !errors.ContainsKey("filter.status"))
            {
                errors["filter.status"] = [$"Only {string.Join(" or ", MessageStatus.Resendable)} messages can be re-sent."];
            }
        }

        if (request?.Max is < 1 or > MaxMax)
        {
            errors["max"] = [$"max must be between 1 and {MaxMax}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The resend request is invalid; nothing was re-sent.", type: ProblemTypes.Validation);
        }

        var tenantId = http.User.TenantId();
        var wanted = request!.Ids?.ToArray();
        Func<CommsDbContext, IQueryable<Message>, IQueryable<Message>> select = wanted is not null
            ? (_, q) => q.Where(m => wanted.Contains(m.Id))
            : (context, q) => MessageLog.Apply(context, q, request.Filter!);
        var max = request.Ids is { } list ? list.Count : request.Max ?? DefaultMax;
        var result = await resend.ResendAsync(tenantId, select, max, AuditLog.ApiKeyActor(http.User.ApiKeyId()), bulk: true, cancellationToken);
        LogResent(logs.CreateLogger("Comms.Api.Messages"), tenantId, result.Requeued.Count, http.User.Actor());
        return TypedResults.Ok(new ResendAnswer(result.Requeued.Count, result.Suppressed.Count, result.Requeued, result.Suppressed));
    }

    private static ProblemHttpResult NotResendable(string status) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, type: ProblemTypes.MessageNotResendable, title: "The message cannot be re-sent.",
            detail: $"It is {status}; only {string.Join(" or ", MessageStatus.Resendable)} messages can be re-sent.");

    [LoggerMessage(1, LogLevel.Information, "Tenant '{Tenant}': {Count} message(s) re-sent by {Actor}.")]
    private static partial void LogResent(ILogger logger, string tenant, int count, string actor);
}
