using System.Text.Json;

namespace Comms.Core.Templates;

/// <summary>
/// The save-time checks that need a parser: Liquid syntax of every content field (of the template and
/// of each variant) and the variables schema. Problems are keyed by field and carry the parser's message.
/// </summary>
public static class TemplateSyntax
{
    private static readonly HashSet<string> SchemaTypes = new(StringComparer.Ordinal)
    {
        "object", "array", "string", "number", "integer", "boolean", "null",
    };

    private static readonly HashSet<string> DataKeywords = new(StringComparer.Ordinal) { "enum", "const", "default", "examples" };

    /// <summary>Every Liquid source of a content, by its JSON field name (data entries as <c>data.{key}</c>).</summary>
    public static IEnumerable<(string Field, string Source)> Fields(TemplateContent content)
    {
        (string, string?)[] fields =
        [
            ("subject", content.Subject), ("html", content.Html), ("text", content.Text), ("title", content.Title),
            ("body", content.Body), ("link", content.Link), ("icon", content.Icon), ("collapseKey", content.CollapseKey),
            ("threadKey", content.ThreadKey), ("json", content.Json),
        ];
        foreach (var (field, source) in fields)
        {
            if (source is not null)
            {
                yield return (field, source);
            }
        }

        foreach (var (key, value) in content.Data ?? [])
        {
            yield return ("data." + key, value ?? "");
        }
    }

    /// <summary>Liquid syntax errors of the draft's content and variants, and the schema's problem if any.</summary>
    public static async Task<Dictionary<string, string[]>> CheckAsync(TemplateDraftInput draft)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        CheckLiquid(errors, draft.Content, "content.");
        for (var i = 0; i < (draft.Variants?.Count ?? 0); i++)
        {
            CheckLiquid(errors, draft.Variants![i].Content, $"variants[{i}].content.");
        }

        if (await SchemaErrorAsync(draft.VariablesSchema) is { } schemaError)
        {
            TemplateValidator.Add(errors, "variablesSchema", schemaError);
        }

        return errors;
    }

    /// <summary>The parser's message for a Liquid source, on one line, or null when it parses.</summary>
    public static string? LiquidError(string? source)
    {
        var error = LiquidRenderer.SyntaxError(source);
        if (error is null)
        {
            return null;
        }

        // Fluid appends "Source:" and the template; the first line says what and where.
        var firstLine = error.Split('\n', 2)[0].Trim();
        return "Liquid syntax error: " + (firstLine.Length > 0 ? firstLine : error.Trim());
    }

    /// <summary>
    /// Null when <paramref name="schemaJson"/> is absent or a usable JSON Schema; otherwise what is wrong.
    /// Only local references (<c>#/...</c>) are allowed, so a schema can never make the server read a file
    /// or fetch a URL.
    /// </summary>
    public static async Task<string?> SchemaErrorAsync(string? schemaJson)
    {
        if (schemaJson is null)
        {
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(schemaJson);
        }
        catch (JsonException ex)
        {
            return "The variables schema is not valid JSON: " + ex.Message;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return "The variables schema must be a JSON Schema object, e.g. {\"type\":\"object\",\"required\":[\"name\"]}.";
            }

            if (FindStructuralError(document.RootElement, "#") is { } structural)
            {
                return structural;
            }
        }

        try
        {
            return await PayloadSchema.CheckSchemaAsync(schemaJson) is { } error ? "Not a valid JSON Schema: " + error : null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return "Not a valid JSON Schema: " + ex.Message;
        }
    }

    private static void CheckLiquid(Dictionary<string, string[]> errors, TemplateContent? content, string prefix)
    {
        if (content is null)
        {
            return;
        }

        foreach (var (field, source) in Fields(content))
        {
            if (LiquidError(source) is { } error)
            {
                TemplateValidator.Add(errors, prefix + field, error);
            }
        }
    }

    private static string? FindStructuralError(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var at = path + "/" + property.Name;
                    if (DataKeywords.Contains(property.Name) && !IsPropertiesMap(path))
                    {
                        continue; // values, not schemas
                    }

                    if (property.Name == "$ref" && !(IsPropertiesMap(path) && property.Value.ValueKind == JsonValueKind.Object)
                        && (property.Value.ValueKind != JsonValueKind.String || !property.Value.GetString()!.StartsWith('#')))
                    {
                        return $"At '{at}': only local references ('#/...') are allowed.";
                    }

                    if (property.Name == "type" && !IsValidType(property.Value) && !IsPropertiesMap(path))
                    {
                        return $"At '{at}': 'type' must be one of {string.Join(", ", SchemaTypes)} (or a list of them).";
                    }

                    if (FindStructuralError(property.Value, at) is { } nested)
                    {
                        return nested;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindStructuralError(item, $"{path}/{index++}") is { } nested)
                    {
                        return nested;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    // A payload variable may itself be called "type": {"properties": {"type": {...}}}.
    private static bool IsPropertiesMap(string path) =>
        path.EndsWith("/properties", StringComparison.Ordinal) || path.EndsWith("/definitions", StringComparison.Ordinal)
        || path.EndsWith("/$defs", StringComparison.Ordinal) || path.EndsWith("/patternProperties", StringComparison.Ordinal);

    private static bool IsValidType(JsonElement type) => type.ValueKind switch
    {
        JsonValueKind.String => SchemaTypes.Contains(type.GetString()!),
        JsonValueKind.Array => type.GetArrayLength() > 0
            && type.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String && SchemaTypes.Contains(t.GetString()!)),
        _ => false,
    };
}
