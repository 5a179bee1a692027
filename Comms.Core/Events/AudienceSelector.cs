using System.Text.Json;

namespace Comms.Core.Events;

/// <summary>
/// Who an event goes to when it names no recipients (SPEC S2): every user of the tenant
/// (<c>{"all":true}</c>), users with any of some roles (<c>{"roles":["admin"]}</c>), users whose custom
/// attributes contain the given values (<c>{"attributes":{"plan":"pro"}}</c>), or roles and attributes
/// together (both must match).
/// </summary>
public sealed record AudienceSelector(bool All, IReadOnlyList<string> Roles, string? AttributesJson)
{
    public static bool TryParse(JsonElement element, out AudienceSelector? selector, out string? error)
    {
        selector = null;
        error = null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            error = "The audience must be an object such as {\"all\":true}, {\"roles\":[\"admin\"]} or {\"attributes\":{\"plan\":\"pro\"}}.";
            return false;
        }

        var all = false;
        var roles = new List<string>();
        string? attributes = null;
        foreach (var property in element.EnumerateObject())
        {
            switch (property.Name)
            {
                case "all" when property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    all = property.Value.GetBoolean();
                    break;
                case "roles" when property.Value.ValueKind == JsonValueKind.Array:
                    foreach (var role in property.Value.EnumerateArray())
                    {
                        if (role.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(role.GetString()))
                        {
                            error = "audience.roles must be a list of role names.";
                            return false;
                        }

                        roles.Add(role.GetString()!);
                    }

                    if (roles.Count == 0)
                    {
                        error = "audience.roles must name at least one role.";
                        return false;
                    }

                    break;
                case "attributes" when property.Value.ValueKind == JsonValueKind.Object:
                    if (!property.Value.EnumerateObject().Any())
                    {
                        error = "audience.attributes must name at least one attribute.";
                        return false;
                    }

                    attributes = property.Value.GetRawText();
                    break;
                default:
                    error = $"Unknown or malformed audience field '{property.Name}'. Use all (true), roles (a list) or attributes (an object).";
                    return false;
            }
        }

        if (all == (roles.Count > 0 || attributes is not null))
        {
            error = all
                ? "audience.all cannot be combined with roles or attributes."
                : "The audience selects nobody: set all to true, or give roles or attributes.";
            return false;
        }

        selector = new AudienceSelector(all, roles, attributes);
        return true;
    }

    public static AudienceSelector? FromJson(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return TryParse(document.RootElement, out var selector, out _) ? selector : null;
    }
}
