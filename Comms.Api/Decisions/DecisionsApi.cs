using Comms.Api.Auth;
using Comms.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Comms.Api.Decisions;

/// <summary>The decision log per user: every queued, deferred or blocked message with its typed reason.</summary>
public static class DecisionsApi
{
    public const int MaxPageSize = 200;

    public static RouteGroupBuilder MapDecisionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/recipients/{externalId}/decisions").WithTags("Decisions").RequireAuthorization(AuthExtensions.ServicePolicy);
        group.MapGet("/", List)
            .WithSummary("List a recipient's routing decisions, newest first")
            .WithDescription("Filter by reason (e.g. COMMS_PREF_BLOCKED) or outcome (queued, deferred, blocked, digested, escalation_scheduled); page with 'before' (the last id seen).");
        return group;
    }

    public static async Task<Results<Ok<UserDecisionsPage>, ValidationProblem>> List(
        string externalId, string? reason, string? outcome, long? before, int? limit, HttpContext http, CommsDbContext db,
        CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxPageSize)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["limit"] = [$"limit must be between 1 and {MaxPageSize}."] }, type: "COMMS_VALIDATION");
        }

        var tenantId = http.User.TenantId();
        var query = db.Decisions.AsNoTracking().Where(d => d.TenantId == tenantId && d.RecipientExternalId == externalId);
        if (!string.IsNullOrEmpty(reason))
        {
            query = query.Where(d => d.Reason == reason);
        }

        if (!string.IsNullOrEmpty(outcome))
        {
            query = query.Where(d => d.Outcome == outcome);
        }

        if (before is { } cursor)
        {
            query = query.Where(d => d.Id < cursor);
        }

        var size = limit ?? 50;
        var rows = await (
                from d in query
                join e in db.Events.AsNoTracking() on d.EventId equals e.Id
                orderby d.Id descending
                select new UserDecisionView(d.Id, d.EventId, e.Name, e.CauseRef, d.Channel, d.Outcome, d.Reason, d.Detail, d.MessageId, d.DueAt, d.CreatedAt))
            .Take(size + 1).ToListAsync(cancellationToken);
        var page = rows.Take(size).ToList();
        return TypedResults.Ok(new UserDecisionsPage(page, rows.Count > size ? page[^1].Id : null));
    }
}

public sealed record UserDecisionView(
    long Id,
    Guid EventId,
    string EventName,
    string CauseRef,
    string Channel,
    string Outcome,
    string? Reason,
    string? Detail,
    Guid? MessageId,
    DateTimeOffset? DueAt,
    DateTimeOffset DecidedAt);

public sealed record UserDecisionsPage(IReadOnlyList<UserDecisionView> Items, long? NextBefore);
