using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Comms.Api.WebhookEndpoints;

/// <summary>One status webhook delivery to an endpoint, as <c>GET /v1/webhook-endpoints/{id}/deliveries</c> shows it.</summary>
public sealed record WebhookDeliveryView(
    long Id,
    string EventType,
    Guid MessageId,
    string Status,
    int Attempts,
    int? LastResponseCode,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset? DeliveredAt);

public sealed record WebhookDeliveryPage(IReadOnlyList<WebhookDeliveryView> Items, long? NextBefore);

/// <summary>The status webhook deliveries of one endpoint (message.sent, message.delivered...), newest first, with their state.</summary>
public static class WebhookDeliveriesApi
{
    public const int MaxPageSize = 200;

    public static RouteGroupBuilder MapWebhookDeliveriesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/webhook-endpoints").WithTags("Webhook endpoints").RequireAuthorization(AuthExtensions.AdminPolicy);
        group.MapGet("/{id:guid}/deliveries", List)
            .WithSummary("List an endpoint's status webhook deliveries, newest first")
            .WithDescription("Each delivery of a message status change (message.sent, message.delivered, message.bounced, message.complained, message.failed): status (pending, delivered, failed), attempts, lastResponseCode, lastError, nextAttemptAt. Filter by status; page with 'before' (the nextBefore of the previous page); limit 1-200 (default 50).")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        return group;
    }

    public static async Task<Results<Ok<WebhookDeliveryPage>, ValidationProblem, ProblemHttpResult>> List(
        Guid id, string? status, long? before, int? limit, HttpContext http, CommsDbContext db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (limit is < 1 or > MaxPageSize)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxPageSize}."];
        }

        string[] statuses = [Core.Webhooks.WebhookDeliveryStatus.Pending, Core.Webhooks.WebhookDeliveryStatus.Delivered, Core.Webhooks.WebhookDeliveryStatus.Failed];
        if (status is not null && !statuses.Contains(status))
        {
            errors["status"] = [$"status must be one of: {string.Join(", ", statuses)}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The query is invalid.", type: ProblemTypes.Validation);
        }

        var tenantId = http.User.TenantId();
        if (!await db.WebhookEndpoints.AnyAsync(e => e.TenantId == tenantId && e.Id == id, cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound, title: "Webhook endpoint not found.",
                detail: "The tenant has no webhook endpoint of that id.");
        }

        var query = db.WebhookDeliveries.AsNoTracking().Where(d => d.TenantId == tenantId && d.EndpointId == id);
        if (status is not null)
        {
            query = query.Where(d => d.Status == status);
        }

        if (before is { } cursor)
        {
            query = query.Where(d => d.Id < cursor);
        }

        var size = limit ?? 50;
        var rows = await query.OrderByDescending(d => d.Id).Take(size + 1)
            .Select(d => new WebhookDeliveryView(d.Id, d.EventType, d.MessageId, d.Status, d.Attempts, d.LastResponseCode, d.LastError, d.CreatedAt,
                d.NextAttemptAt, d.DeliveredAt))
            .ToListAsync(cancellationToken);
        var page = rows.Take(size).ToList();
        return TypedResults.Ok(new WebhookDeliveryPage(page, rows.Count > size ? page[^1].Id : null));
    }
}
