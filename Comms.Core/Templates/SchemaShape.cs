using System.Text.Json;

namespace Comms.Core.Templates;

/// <summary>
/// The shape of a variables schema's keywords. NJsonSchema reads what it understands and skips the rest, so a
/// schema like <c>{"required": [42]}</c> or <c>{"type": 7}</c> would be stored and then validate nothing; the
/// keywords that decide what a payload must hold are checked here, at every depth, naming the JSON pointer.
/// </summary>
public static class SchemaShape
{
    private static readonly HashSet<string> TypeNames = new(StringComparer.Ordinal) { "string", "number", "integer", "boolean", "object", "array", "null" };
    private static readonly string[] SchemaMaps = ["properties", "patternProperties", "definitions", "$defs", "dependentSchemas"];
    private static readonly string[] SchemaValues = ["additionalProperties", "additionalItems", "items", "contains", "not", "if", "then", "else", "propertyNames", "unevaluatedProperties", "unevaluatedItems"];
    private static readonly string[] SchemaLists = ["allOf", "anyOf", "oneOf", "prefixItems"];
    private static readonly string[] Numbers = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"];
    private static readonly string[] Counts = ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"];

    /// <summary>The first keyword with a value of the wrong shape, as "at #/pointer: message", or null.</summary>
    public static string? Check(JsonElement schema, string pointer = "#")
    {
        if (schema.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return null;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            return $"at {pointer}: a schema must be an object (or true/false).";
        }

        foreach (var keyword in schema.EnumerateObject())
        {
            var at = $"{pointer}/{keyword.Name}";
            var value = keyword.Value;
            var problem = keyword.Name switch
            {
                "type" when !IsTypeName(value) && !(value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0 && value.EnumerateArray().All(IsTypeName)) =>
                    "'type' must be one of string, number, integer, boolean, object, array, null, or a list of them.",
                "required" when value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String) =>
                    "'required' must be a list of property names.",
                "enum" when value.ValueKind != JsonValueKind.Array => "'enum' must be a list.",
                "pattern" or "format" or "$ref" when value.ValueKind != JsonValueKind.String => $"'{keyword.Name}' must be a string.",
                _ when Numbers.Contains(keyword.Name) && value.ValueKind != JsonValueKind.Number => $"'{keyword.Name}' must be a number.",
                _ when Counts.Contains(keyword.Name) && !(value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n >= 0) =>
                    $"'{keyword.Name}' must be a whole number of at least 0.",
                _ when SchemaMaps.Contains(keyword.Name) && value.ValueKind != JsonValueKind.Object => $"'{keyword.Name}' must be an object of schemas.",
                _ when SchemaLists.Contains(keyword.Name) && (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0) =>
                    $"'{keyword.Name}' must be a non-empty list of schemas.",
                _ => null,
            };
            if (problem is not null)
            {
                return $"at {at}: {problem}";
            }

            var nested = keyword.Name switch
            {
                _ when SchemaMaps.Contains(keyword.Name) => value.EnumerateObject().Select(p => Check(p.Value, $"{at}/{p.Name}")).FirstOrDefault(e => e is not null),
                _ when SchemaLists.Contains(keyword.Name) => value.EnumerateArray().Select((s, i) => Check(s, $"{at}/{i}")).FirstOrDefault(e => e is not null),
                "items" when value.ValueKind == JsonValueKind.Array => value.EnumerateArray().Select((s, i) => Check(s, $"{at}/{i}")).FirstOrDefault(e => e is not null),
                _ when SchemaValues.Contains(keyword.Name) => Check(value, at),
                _ => null,
            };
            if (nested is not null)
            {
                return nested;
            }
        }

        return null;
    }

    private static bool IsTypeName(JsonElement value) => value.ValueKind == JsonValueKind.String && TypeNames.Contains(value.GetString()!);
}
