using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Data;
using Comms.Core.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Comms.Api.RoutingRules;

/// <summary>The tenant's routing rules: event name → template, channels, fallbacks, escalation, delay, dedupe, digest.</summary>
public static class RoutingRulesApi
{
    public static RouteGroupBuilder MapRoutingRulesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/routing-rules").WithTags("Routing rules").RequireAuthorization(AuthExtensions.ServicePolicy);
        group.MapGet("/", List).WithSummary("List the tenant's routing rules");
        group.MapGet("/{eventName}", Get).WithSummary("Get the routing rule of an event")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        group.MapPut("/{eventName}", Put).RequireAuthorization(AuthExtensions.EditorPolicy)
            .WithSummary("Create or replace the routing rule of an event")
            .WithDescription("201 when created, 200 when replaced. The category must exist, and the template the rule renders must exist (draft or published) for every channel the rule can use, or the rule is refused with 422 naming the field.")
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.Conflict)
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, ProblemTypes.UnknownCategory, ProblemTypes.UnknownTemplate);
        group.MapDelete("/{eventName}", Delete).RequireAuthorization(AuthExtensions.EditorPolicy)
            .WithSummary("Delete the routing rule of an event (its events are then refused)")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        return group;
    }

    public static async Task<Ok<List<RoutingRuleView>>> List(HttpContext http, CommsDbContext db, CancellationToken cancellationToken)
    {
        var tenantId = http.User.TenantId();
        var rules = await db.RoutingRules.AsNoTracking().Where(r => r.TenantId == tenantId).OrderBy(r => r.EventName).ToListAsync(cancellationToken);
        return TypedResults.Ok(rules.Select(RoutingRuleView.From).ToList());
    }

    public static async Task<Results<Ok<RoutingRuleView>, ProblemHttpResult>> Get(
        string eventName, HttpContext http, CommsDbContext db, CancellationToken cancellationToken)
    {
        var tenantId = http.User.TenantId();
        var rule = await db.RoutingRules.AsNoTracking().FirstOrDefaultAsync(r => r.TenantId == tenantId && r.EventName == eventName, cancellationToken);
        return rule is null ? NotFound(eventName) : TypedResults.Ok(RoutingRuleView.From(rule));
    }

    public static async Task<Results<Ok<RoutingRuleView>, Created<RoutingRuleView>, ValidationProblem, ProblemHttpResult>> Put(
        string eventName, RoutingRuleRequest? request, HttpContext http, RoutingRuleService rules, CancellationToken cancellationToken)
    {
        var saved = await rules.SaveAsync(http.User.TenantId(), eventName, request, cancellationToken);
        if (saved.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors, title: "The routing rule is invalid.", type: "COMMS_VALIDATION");
        }

        if (saved.Problem is { } problem)
        {
            return TypedResults.Problem(statusCode: 422, type: problem.Type,
                title: problem.Type == RoutingRuleService.UnknownCategory ? "Unknown category." : "The rule names a template that does not exist.",
                detail: problem.Detail, extensions: new Dictionary<string, object?> { ["field"] = problem.Field });
        }

        if (saved.Conflict)
        {
            return TypedResults.Problem(statusCode: 409, type: "COMMS_CONFLICT", title: "The rule was created concurrently.",
                detail: "Another request created this rule at the same time; repeat the request to replace it.");
        }

        var view = RoutingRuleView.From(saved.Rule!);
        return saved.Created ? TypedResults.Created($"/v1/routing-rules/{eventName}", view) : TypedResults.Ok(view);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string eventName, HttpContext http, CommsDbContext db, CatalogChanges changes, CancellationToken cancellationToken)
    {
        var tenantId = http.User.TenantId();
        var deleted = await db.RoutingRules.Where(r => r.TenantId == tenantId && r.EventName == eventName).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            return NotFound(eventName);
        }

        await changes.PublishAsync(tenantId);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult NotFound(string eventName) =>
        TypedResults.Problem(statusCode: 404, type: "COMMS_NOT_FOUND", title: "Routing rule not found.",
            detail: $"This tenant has no routing rule for event '{eventName}'.");
}

public sealed record RoutingRuleView(
    string EventName,
    string TemplateName,
    string Category,
    IReadOnlyList<string> Channels,
    IReadOnlyList<string> FallbackChannels,
    EscalationSpec? Escalation,
    int DelaySeconds,
    DedupeSpec? Dedupe,
    DigestSpec? Digest,
    string? ThreadKey,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static RoutingRuleView From(RoutingRule rule) => new(
        rule.EventName, rule.TemplateName, rule.Category, rule.Channels, rule.FallbackChannels,
        rule.EscalationAfterMinutes is null ? null : new EscalationSpec(rule.EscalationAfterMinutes, rule.EscalationChannel),
        rule.DelaySeconds,
        rule.DedupeKey is null ? null : new DedupeSpec(rule.DedupeKey, rule.DedupeWindowSeconds),
        rule.DigestKey is null ? null : new DigestSpec(rule.DigestKey, rule.DigestWindowSeconds, rule.DigestTemplateName),
        rule.ThreadKey,
        rule.CreatedAt, rule.UpdatedAt);
}
