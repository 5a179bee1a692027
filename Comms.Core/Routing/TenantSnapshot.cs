using Comms.Core.Preferences;
using Comms.Core.Templates;
using Comms.Core.Tenancy;

namespace Comms.Core.Routing;

/// <summary>A tenant's routing configuration, loaded once and cached: rules, categories and published templates.</summary>
public sealed class TenantSnapshot(
    Tenant tenant,
    IReadOnlyDictionary<string, RoutingRule> rules,
    IReadOnlyDictionary<string, CategoryInfo> categories,
    IReadOnlyList<Template> publishedTemplates)
{
    // (name, channel, locale) → the latest published version
    private readonly Dictionary<(string Name, string Channel, string Locale), Template> _latest = publishedTemplates
        .GroupBy(t => (t.Name, t.Channel, t.Locale.ToLowerInvariant()))
        .ToDictionary(g => g.Key, g => g.MaxBy(t => t.Version)!);

    public Tenant Tenant { get; } = tenant;

    /// <summary>Which link schemes this tenant's rendered messages may carry.</summary>
    public LinkPolicy Links { get; } = LinkPolicy.For(tenant.AllowedLinkSchemes);
    public IReadOnlyDictionary<string, RoutingRule> Rules { get; } = rules;
    public IReadOnlyDictionary<string, CategoryInfo> Categories { get; } = categories;

    public RoutingRule? RuleFor(string eventName) => Rules.GetValueOrDefault(eventName);

    public CategoryInfo? Category(string name) => Categories.GetValueOrDefault(name);

    /// <summary>The latest published template of this name and channel in the first locale of the chain that has one.</summary>
    public Template? FindTemplate(string name, string channel, IReadOnlyList<string> localeChain)
    {
        foreach (var locale in localeChain)
        {
            if (_latest.TryGetValue((name, channel, locale.ToLowerInvariant()), out var template))
            {
                return template;
            }
        }

        return null;
    }

    /// <summary>Any published template of this name (used to validate payloads at intake).</summary>
    public IEnumerable<Template> TemplatesNamed(string name) => _latest.Values.Where(t => t.Name == name);
}
