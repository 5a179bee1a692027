using Comms.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Routing;

/// <summary>What saving a rule came to: the field errors (400), a problem naming one field (422: unknown category or template), a conflict (409), or the rule.</summary>
public sealed record RoutingRuleSave(
    Dictionary<string, string[]>? Errors = null, (string Type, string Field, string Detail)? Problem = null, bool Conflict = false,
    RoutingRule? Rule = null, bool Created = false);

/// <summary>
/// Creates or replaces a tenant's routing rule — for <c>PUT /v1/routing-rules/{eventName}</c> and the console's rule
/// editor alike: validated (<see cref="RoutingRuleValidator"/>), its category must exist, and the template it renders
/// must exist for every channel the rule can use, so that a rule never fails silently at send time; then the other
/// processes are told (<see cref="CatalogChanges"/>).
/// </summary>
public sealed class RoutingRuleService(IDbContextFactory<CommsDbContext> contexts, TenantCatalog catalog, CatalogChanges changes, TimeProvider time)
{
    public const string UnknownCategory = "COMMS_UNKNOWN_CATEGORY";
    public const string UnknownTemplate = "COMMS_UNKNOWN_TEMPLATE";

    public async Task<RoutingRuleSave> SaveAsync(string tenantId, string eventName, RoutingRuleRequest? request, CancellationToken cancellationToken)
    {
        var errors = RoutingRuleValidator.Validate(eventName, request);
        if (errors.Count > 0)
        {
            return new RoutingRuleSave(Errors: errors);
        }

        var snapshot = await catalog.GetAsync(tenantId, cancellationToken);
        if (snapshot?.Category(request!.Category!) is null)
        {
            return new RoutingRuleSave(Problem: (UnknownCategory, "category", $"'{request!.Category}' is not a category of this tenant; see GET /v1/categories."));
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await MissingTemplateAsync(db, tenantId, request!, cancellationToken) is { } missing)
        {
            return new RoutingRuleSave(Problem: (UnknownTemplate, missing.Field, missing.Detail));
        }

        var now = time.GetUtcNow();
        var rule = await db.RoutingRules.FirstOrDefaultAsync(r => r.TenantId == tenantId && r.EventName == eventName, cancellationToken);
        var created = rule is null;
        rule ??= db.RoutingRules.Add(new RoutingRule
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, EventName = eventName, TemplateName = "", Category = "", CreatedAt = now,
        }).Entity;
        RoutingRuleValidator.Apply(request!, rule);
        rule.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (created)
        {
            return new RoutingRuleSave(Conflict: true);
        }

        await changes.PublishAsync(tenantId);
        return new RoutingRuleSave(Rule: rule, Created: created);
    }

    /// <summary>
    /// A rule must not fail silently at send time: the template it renders (the digest's when it digests, as
    /// routing does) must exist, draft or published in any locale, for every channel the rule can use —
    /// primary, fallback and escalation.
    /// </summary>
    private static async Task<(string Field, string Detail)?> MissingTemplateAsync(
        CommsDbContext db, string tenantId, RoutingRuleRequest request, CancellationToken cancellationToken)
    {
        var (template, templateField) = request.Digest?.TemplateName is { } digest
            ? (digest, "digest.templateName")
            : (request.TemplateName!, "templateName");
        var channels = await db.Templates.AsNoTracking().Where(t => t.TenantId == tenantId && t.Name == template)
            .Select(t => t.Channel).Distinct().ToListAsync(cancellationToken);
        if (channels.Count == 0)
        {
            return (templateField, $"There is no template '{template}' (draft or published). Create it first: PUT /v1/templates/{template}/{{channel}}/{{locale}}/draft.");
        }

        var uses = (request.Channels ?? []).Select((c, i) => ($"channels[{i}]", c))
            .Concat((request.FallbackChannels ?? []).Select((c, i) => ($"fallbackChannels[{i}]", c)))
            .Concat(request.Escalation?.Channel is { } escalation ? [("escalation.channel", escalation)] : []);
        foreach (var (field, channel) in uses)
        {
            if (!channels.Contains(channel))
            {
                return (field, $"Template '{template}' has no '{channel}' content (draft or published) in any locale; add it with PUT /v1/templates/{template}/{channel}/{{locale}}/draft, or remove the channel.");
            }
        }

        return null;
    }
}
