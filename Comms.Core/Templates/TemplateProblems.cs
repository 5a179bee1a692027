using Comms.Core.Data;
using Comms.Core.Preferences;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Templates;

/// <summary>The problems template operations answer with, each with its stable code.</summary>
public static class TemplateProblems
{
    public static TemplateProblem Validation(Dictionary<string, string[]> errors) =>
        new(TemplateCodes.Validation, 400, "The template is invalid.", Describe(errors), errors.Keys.First()) { Errors = errors };

    public static TemplateProblem Invalid(Dictionary<string, string[]> errors) =>
        new(TemplateCodes.Invalid, 422, "The template does not compile.", Describe(errors), errors.Keys.First()) { Errors = errors };

    public static TemplateProblem UnknownCategory(string category) =>
        new(TemplateCodes.UnknownCategory, 422, "Unknown category.",
            $"'{category}' is neither a built-in category ({string.Join(", ", Categories.BuiltIn.Keys)}) nor one of the tenant's.",
            "category");

    public static TemplateProblem NoDraft(TemplateKey key) =>
        new(TemplateCodes.NotFound, 404, "Template draft not found.", $"There is no draft of {Describe(key)}.");

    public static TemplateProblem NoVersion(TemplateKey key, int version) =>
        new(TemplateCodes.NotFound, 404, "Template version not found.", $"There is no version {version} of {Describe(key)}.");

    public static TemplateProblem NoTemplate(string name) =>
        new(TemplateCodes.NotFound, 404, "Template not found.", $"There is no template named '{name}'.");

    public static TemplateProblem Immutable(TemplateKey key, int version) =>
        new(TemplateCodes.Immutable, 409, "Published versions are immutable.",
            $"Version {version} of {Describe(key)} is published and can never change; edit the draft and publish a new version.");

    public static TemplateProblem AlreadyPending(TemplateKey key, string? submittedBy) =>
        new(TemplateCodes.Pending, 409, "The draft is already awaiting approval.",
            $"The draft of {Describe(key)} was submitted by {submittedBy}; another key with the 'approver' role approves or rejects it, and any edit sends it back to draft.");

    public static TemplateProblem NotPending(TemplateKey key) =>
        new(TemplateCodes.NotPending, 409, "The draft is not awaiting approval.",
            $"The draft of {Describe(key)} has not been submitted; publish it first (critical templates then wait for approval).");

    public static TemplateProblem SelfApproval(TemplateKey key) =>
        new(TemplateCodes.SelfApproval, 403, "A publish cannot be approved by the key that submitted it.",
            $"The draft of {Describe(key)} needs a second key with the 'approver' role.");

    public static string Describe(TemplateKey key) => $"'{key.Name}' ({key.Channel}, {key.Locale})";

    private static string Describe(Dictionary<string, string[]> errors) =>
        string.Join(" ", errors.Take(3).Select(e => $"{e.Key}: {e.Value[0]}")) + (errors.Count > 3 ? $" (and {errors.Count - 3} more)" : "");
}

/// <summary>Which categories exist for a tenant, and whether a template needs a second approver.</summary>
public static class TemplateCategories
{
    public static async Task<bool> ExistsAsync(CommsDbContext db, string tenantId, string category, CancellationToken cancellationToken) =>
        Categories.BuiltIn.ContainsKey(category)
        || await db.Categories.AnyAsync(c => c.TenantId == tenantId && c.Name == category, cancellationToken);

    /// <summary>
    /// Why publishing this template needs approval, or null when it does not: its own category is
    /// critical (built-in security/legal, or a tenant category marked critical), or a routing rule sends
    /// it in a critical category (so an uncategorised template cannot sidestep the approval).
    /// </summary>
    public static async Task<string?> CriticalReasonAsync(CommsDbContext db, TemplateKey key, string? category, CancellationToken cancellationToken)
    {
        var tenantCritical = await db.Categories.AsNoTracking()
            .Where(c => c.TenantId == key.TenantId && c.Critical)
            .Select(c => c.Name)
            .ToListAsync(cancellationToken);
        bool IsCritical(string? name) =>
            name is not null && ((Categories.BuiltIn.TryGetValue(name, out var builtIn) && builtIn.Critical) || tenantCritical.Contains(name));

        if (IsCritical(category))
        {
            return $"The category '{category}' is critical: a second key with the 'approver' role must approve the publish.";
        }

        var rules = await db.RoutingRules.AsNoTracking()
            .Where(r => r.TenantId == key.TenantId && (r.TemplateName == key.Name || r.DigestTemplateName == key.Name))
            .Select(r => new { r.EventName, r.Category })
            .ToListAsync(cancellationToken);
        var rule = rules.FirstOrDefault(r => IsCritical(r.Category));
        return rule is null
            ? null
            : $"Event '{rule.EventName}' sends this template in the critical category '{rule.Category}': a second key with the 'approver' role must approve the publish.";
    }
}
