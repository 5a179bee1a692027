using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Comms.Core.Broadcasts;

/// <summary>
/// Who a broadcast reaches: every tenant (<c>{"allTenants":true}</c>), some tenants (<c>{"tenants":[...]}</c>), users with
/// any of some roles in every tenant (<c>{"roles":[...]}</c>), or a filter over recipient attributes and roles in every
/// tenant (<c>{"filter":{"attributes":{"plan":"pro"},"roles":[...]}}</c>, all conditions must hold). Erased recipients never.
/// </summary>
public sealed record BroadcastAudience(bool AllTenants, IReadOnlyList<string> Tenants, IReadOnlyList<string> Roles, string? AttributesJson)
{
    public bool IsFilter => AttributesJson is not null;

    /// <summary>The audience as it is stored and shown (the same shape as it is given).</summary>
    public string ToJson()
    {
        var node = new JsonObject();
        if (AllTenants)
        {
            node["allTenants"] = true;
        }
        else if (Tenants.Count > 0)
        {
            node["tenants"] = new JsonArray([.. Tenants.Select(t => (JsonNode)t)]);
        }
        else if (AttributesJson is null)
        {
            node["roles"] = new JsonArray([.. Roles.Select(r => (JsonNode)r)]);
        }
        else
        {
            var filter = new JsonObject { ["attributes"] = JsonNode.Parse(AttributesJson) };
            if (Roles.Count > 0)
            {
                filter["roles"] = new JsonArray([.. Roles.Select(r => (JsonNode)r)]);
            }

            node["filter"] = filter;
        }

        return node.ToJsonString();
    }

    /// <summary>The audience selector of the per-tenant event the dispatcher expands (<c>AudienceSelector</c>'s shape).</summary>
    public string SelectorJson()
    {
        var node = new JsonObject();
        if (Roles.Count == 0 && AttributesJson is null)
        {
            node["all"] = true;
            return node.ToJsonString();
        }

        if (Roles.Count > 0)
        {
            node["roles"] = new JsonArray([.. Roles.Select(r => (JsonNode)r)]);
        }

        if (AttributesJson is not null)
        {
            node["attributes"] = JsonNode.Parse(AttributesJson);
        }

        return node.ToJsonString();
    }

    /// <summary>The recipients condition (alias <c>r</c>) with its parameters added to <paramref name="parameters"/>.</summary>
    public string Where(NpgsqlParameterCollection parameters)
    {
        var where = "r.erased_at IS NULL";
        if (Tenants.Count > 0)
        {
            where += " AND r.tenant_id = ANY(@audience_tenants)";
            parameters.AddWithValue("audience_tenants", Tenants.ToArray());
        }

        if (Roles.Count > 0)
        {
            where += " AND r.roles && @audience_roles";
            parameters.AddWithValue("audience_roles", Roles.ToArray());
        }

        if (AttributesJson is not null)
        {
            where += " AND r.attributes @> @audience_attributes::jsonb";
            parameters.AddWithValue("audience_attributes", AttributesJson);
        }

        return where;
    }

    public static BroadcastAudience FromJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        return TryParse(document.RootElement, errors) ?? throw new InvalidOperationException("A stored audience no longer parses.");
    }

    /// <summary>The audience, or null with what is wrong added to <paramref name="errors"/> under <c>audience…</c> paths.</summary>
    public static BroadcastAudience? TryParse(JsonElement element, Dictionary<string, string[]> errors)
    {
        const string Shapes = "The audience is one of {\"allTenants\":true}, {\"tenants\":[...]}, {\"roles\":[...]} or {\"filter\":{\"attributes\":{...}}}.";
        if (element.ValueKind != JsonValueKind.Object || element.EnumerateObject().Count() != 1)
        {
            errors["audience"] = [Shapes];
            return null;
        }

        var property = element.EnumerateObject().Single();
        switch (property.Name)
        {
            case "allTenants" when property.Value.ValueKind == JsonValueKind.True:
                return new BroadcastAudience(true, [], [], null);
            case "tenants":
                return Names(property.Value, "audience.tenants", BroadcastLimits.MaxTenants, errors) is { } tenants
                    ? new BroadcastAudience(false, tenants, [], null) : null;
            case "roles":
                return Names(property.Value, "audience.roles", BroadcastLimits.MaxRoles, errors) is { } roles
                    ? new BroadcastAudience(false, [], roles, null) : null;
            case "filter":
                return Filter(property.Value, errors);
            default:
                errors["audience"] = [Shapes];
                return null;
        }
    }

    private static BroadcastAudience? Filter(JsonElement filter, Dictionary<string, string[]> errors)
    {
        if (filter.ValueKind != JsonValueKind.Object || !filter.TryGetProperty("attributes", out var attributes)
            || filter.EnumerateObject().Any(p => p.Name is not ("attributes" or "roles")))
        {
            errors["audience.filter"] = ["The filter is {\"attributes\":{\"name\":value,...}} with optional \"roles\":[...]; every condition must hold."];
            return null;
        }

        if (attributes.ValueKind != JsonValueKind.Object || !attributes.EnumerateObject().Any()
            || attributes.EnumerateObject().Count() > BroadcastLimits.MaxAttributes
            || attributes.EnumerateObject().Any(a => a.Name.Length is 0 or > 100
                || a.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)))
        {
            errors["audience.filter.attributes"] =
                [$"Give 1 to {BroadcastLimits.MaxAttributes} attributes, each a name (at most 100 characters) and a string, number or boolean value."];
            return null;
        }

        IReadOnlyList<string> roles = [];
        if (filter.TryGetProperty("roles", out var rolesElement))
        {
            if (Names(rolesElement, "audience.filter.roles", BroadcastLimits.MaxRoles, errors) is not { } named)
            {
                return null;
            }

            roles = named;
        }

        return new BroadcastAudience(false, [], roles, attributes.GetRawText());
    }

    private static List<string>? Names(JsonElement element, string path, int max, Dictionary<string, string[]> errors)
    {
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() is 0 || element.GetArrayLength() > max
            || element.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String || e.GetString()!.Trim().Length is 0 or > 100))
        {
            errors[path] = [$"Give 1 to {max} distinct, non-empty names (at most 100 characters each)."];
            return null;
        }

        var names = element.EnumerateArray().Select(e => e.GetString()!).ToList();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
        {
            errors[path] = ["The names must be distinct."];
            return null;
        }

        return names;
    }
}
