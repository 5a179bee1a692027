using System.Text.Json;
using Model = Comms.Client.Generated.Models;

namespace Comms.Client;

/// <summary>
/// Builds the free-form JSON objects of the API — an event's <c>payload</c> and <c>audience</c>, a template's
/// <c>variablesSchema</c> — from any .NET object or from JSON text.
/// </summary>
/// <example><c>Payload = CommsJson.Object(new { name = "Alice", order = 42 })</c></example>
public static class CommsJson
{
    /// <summary>The JSON object that <paramref name="value"/> serializes to (System.Text.Json, web defaults: camelCase).</summary>
    public static Model.JsonElement Object(object value) => From(JsonSerializer.SerializeToElement(value, JsonSerializerOptions.Web));

    /// <summary>The JSON object in <paramref name="json"/>.</summary>
    public static Model.JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return From(document.RootElement);
    }

    private static Model.JsonElement From(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"A JSON object is needed, not {element.ValueKind}.", nameof(element));
        }

        return new Model.JsonElement
        {
            AdditionalData = element.EnumerateObject().ToDictionary(p => p.Name, p => (object)p.Value.Clone(), StringComparer.Ordinal),
        };
    }
}
