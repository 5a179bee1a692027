using System.Text.Json;

namespace Comms.Core.Templates;

/// <summary>
/// Which variables a template reads that are neither declared in its variables schema nor built in: those render
/// empty unless a payload happens to carry them, so saving and previewing the template warn about each.
/// </summary>
public static class TemplateVariables
{
    public static IReadOnlyList<string> Warnings(Template template)
    {
        var declared = DeclaredNames(template.VariablesSchema);
        var contents = new[] { ("", template.Content) }
            .Concat(template.Variants.Select(v => ($"variants[{v.Key}].", v.Content)));
        return contents
            .SelectMany(c => ContentRenderer.Sources(c.Item2).Select(s => (Field: c.Item1 + s.Field, s.Source)))
            .SelectMany(s => LiquidRenderer.VariablesOf(s.Source).Select(name => (Name: name, s.Field)))
            .Where(v => !declared.Contains(v.Name) && !TemplateBuiltIns.Names.Contains(v.Name))
            .GroupBy(v => v.Name, StringComparer.Ordinal)
            .Select(g => $"'{g.Key}' (in {string.Join(", ", g.Select(v => v.Field).Distinct())}) is neither declared in variablesSchema " +
                         "nor a built-in (recipient, tenant, event): it renders empty unless the payload carries it.")
            .ToList();
    }

    /// <summary>The top-level property names of a variables schema (JSON text); empty when there is none.</summary>
    public static IReadOnlySet<string> DeclaredNames(string? schema)
    {
        if (string.IsNullOrWhiteSpace(schema))
        {
            return new HashSet<string>();
        }

        try
        {
            using var document = JsonDocument.Parse(schema);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
                ? properties.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal)
                : new HashSet<string>();
        }
        catch (JsonException)
        {
            return new HashSet<string>();
        }
    }
}
