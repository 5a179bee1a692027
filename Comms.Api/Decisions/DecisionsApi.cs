using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Api.Recipients;
using Comms.Core.Data;
using Comms.Core.Messages;
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
            .WithDescription("Filter by reason (e.g. COMMS_PREF_BLOCKED) or outcome (queued, deferred, blocked, digested, escalation_scheduled, fallback); page with 'before' (the last id seen). 404 when the tenant has neither a recipient nor a decision of that external id.")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.RecipientNotFound);
        return group;
    }

    /// <summary>The outcomes a decision may have: the <c>outcome</c> filter takes only these.</summary>
    public static readonly IReadOnlySet<string> Outcomes = new HashSet<string>(StringComparer.Ordinal)
    {
        DecisionOutcome.Queued, DecisionOutcome.Deferred, DecisionOutcome.Blocked, DecisionOutcome.Digested,
        DecisionOutcome.Escalation, DecisionOutcome.Fallback,
    };

    public static async Task<Results<Ok<UserDecisionsPage>, ValidationProblem, ProblemHttpResult>> List(
        string externalId, string? reason, string? outcome, long? before, int? limit, HttpContext http, CommsDbContext db,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (limit is < 1 or > MaxPageSize)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxPageSize}."];
        }

        if (!string.IsNullOrEmpty(outcome) && !Outcomes.Contains(outcome))
        {
            errors["outcome"] = [$"outcome must be one of: {string.Join(", ", Outcomes)}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, type: "COMMS_VALIDATION");
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
        if (rows.Count == 0 && before is null && !await IsKnownAsync(db, tenantId, externalId, cancellationToken))
        {
            // Another tenant's user (or nobody's) is not "a user without decisions": the same 404 as for the recipient itself.
            return RecipientsApi.RecipientNotFound(externalId);
        }

        var page = rows.Take(size).ToList();
        return TypedResults.Ok(new UserDecisionsPage(page, rows.Count > size ? page[^1].Id : null));
    }

    /// <summary>The tenant has the recipient, or had decisions for the external id (an unknown or since deleted recipient).</summary>
    private static async Task<bool> IsKnownAsync(CommsDbContext db, string tenantId, string externalId, CancellationToken cancellationToken) =>
        await db.Recipients.AnyAsync(r => r.TenantId == tenantId && r.ExternalId == externalId, cancellationToken)
        || await db.Decisions.AnyAsync(d => d.TenantId == tenantId && d.RecipientExternalId == externalId, cancellationToken);
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
