using Microsoft.Extensions.Caching.Memory;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Comms.Core.Templates;

/// <summary>
/// Validates payloads against a template's JSON Schema. Parsed schemas are cached by their text, in a cache
/// bounded by the total length of the texts it holds (<see cref="CacheCharacters"/>).
/// </summary>
public static class PayloadSchema
{
    public const long CacheCharacters = 8 * 1024 * 1024;
    private static readonly MemoryCache Cache = new(new MemoryCacheOptions { SizeLimit = CacheCharacters });

    /// <summary>Parses a schema; returns the error text when it is not a valid JSON Schema.</summary>
    public static async Task<string?> CheckSchemaAsync(string schemaJson)
    {
        try
        {
            await ParseAsync(schemaJson);
            return null;
        }
        catch (Exception ex) when (ex is Newtonsoft.Json.JsonException or System.Text.Json.JsonException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            return ex.Message;
        }
    }

    /// <summary>Returns the validation problems of a payload, empty when it conforms.</summary>
    public static async Task<IReadOnlyList<PayloadProblem>> ValidateAsync(string? schemaJson, string payloadJson)
    {
        if (string.IsNullOrWhiteSpace(schemaJson))
        {
            return [];
        }

        var schema = await ParseAsync(schemaJson);
        return schema.Validate(payloadJson).Select(Describe).ToList();
    }

    private static PayloadProblem Describe(ValidationError error)
    {
        var path = string.IsNullOrEmpty(error.Path) ? "#" : error.Path;
        var missing = error.Kind == ValidationErrorKind.PropertyRequired;
        var variable = (error.Property ?? path.TrimStart('#', '/').Replace('/', '.'));
        var message = missing
            ? $"The required variable '{variable}' is missing."
            : $"The variable '{variable}' is invalid: {error.Kind}.";
        return new PayloadProblem(variable, missing, message);
    }

    private static async Task<JsonSchema> ParseAsync(string schemaJson)
    {
        if (Cache.TryGetValue(schemaJson, out JsonSchema? schema) && schema is not null)
        {
            return schema;
        }

        // Only local references (#/...): a schema must never make the server read files or fetch URLs.
        using (var document = System.Text.Json.JsonDocument.Parse(schemaJson))
        {
            if (ExternalReference(document.RootElement) is { } reference)
            {
                throw new InvalidOperationException($"Only local $ref values ('#/...') are allowed; '{reference}' is not.");
            }

            if (SchemaShape.Check(document.RootElement) is { } shape)
            {
                throw new InvalidOperationException(shape);
            }
        }

        schema = await JsonSchema.FromJsonAsync(schemaJson);
        Cache.Set(schemaJson, schema, new MemoryCacheEntryOptions { Size = schemaJson.Length, SlidingExpiration = TimeSpan.FromHours(1) });
        return schema;
    }

    private static string? ExternalReference(System.Text.Json.JsonElement element)
    {
        switch (element.ValueKind)
        {
            case System.Text.Json.JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "$ref" && property.Value.ValueKind == System.Text.Json.JsonValueKind.String
                        && !(property.Value.GetString() ?? "").StartsWith('#'))
                    {
                        return property.Value.GetString();
                    }

                    if (ExternalReference(property.Value) is { } nested)
                    {
                        return nested;
                    }
                }

                return null;
            case System.Text.Json.JsonValueKind.Array:
                return element.EnumerateArray().Select(ExternalReference).FirstOrDefault(r => r is not null);
            default:
                return null;
        }
    }
}

/// <summary>One way a payload fails its schema; <see cref="Missing"/> marks a missing required variable.</summary>
public sealed record PayloadProblem(string Variable, bool Missing, string Message);
