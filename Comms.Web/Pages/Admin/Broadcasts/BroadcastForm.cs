using System.Text.Json;
using Comms.Core.Broadcasts;

namespace Comms.Web.Pages.Admin.Broadcasts;

/// <summary>
/// The composer's fields: title, audience (all tenants, listed tenants or roles — comma-separated), channels, subject and
/// body; turned into the API's <see cref="BroadcastRequest"/> and checked by its <see cref="BroadcastValidation"/>.
/// </summary>
public sealed class BroadcastForm
{
    public const string AllTenants = "all";
    public const string SelectedTenants = "tenants";
    public const string SelectedRoles = "roles";

    public string? Title { get; set; }
    public string AudienceKind { get; set; } = AllTenants;
    public string? Tenants { get; set; }
    public string? Roles { get; set; }
    public List<string> Channels { get; set; } = [];
    public string? Subject { get; set; }
    public string? Body { get; set; }

    /// <summary>The audience as the API's JSON shape.</summary>
    public static JsonElement Audience(string? kind, string? tenants, string? roles) => kind switch
    {
        SelectedTenants => JsonSerializer.SerializeToElement(new { tenants = Names(tenants) }),
        SelectedRoles => JsonSerializer.SerializeToElement(new { roles = Names(roles) }),
        _ => JsonSerializer.SerializeToElement(new { allTenants = true }),
    };

    public BroadcastRequest ToRequest() => new()
    {
        Title = Title?.Trim(), Audience = Audience(AudienceKind, Tenants, Roles), Channels = [.. Channels], Subject = Subject, Body = Body,
    };

    public static BroadcastForm From(BroadcastView view)
    {
        var form = new BroadcastForm { Title = view.Title, Channels = [.. view.Channels] };
        var first = view.Content.Values.FirstOrDefault();
        (form.Subject, form.Body) = (first?.Subject, first?.Body);
        if (view.Audience.TryGetProperty("tenants", out var tenants))
        {
            (form.AudienceKind, form.Tenants) = (SelectedTenants, string.Join(", ", tenants.EnumerateArray().Select(t => t.GetString())));
        }
        else if (view.Audience.TryGetProperty("roles", out var roles))
        {
            (form.AudienceKind, form.Roles) = (SelectedRoles, string.Join(", ", roles.EnumerateArray().Select(t => t.GetString())));
        }

        return form;
    }

    /// <summary>Human words for an audience.</summary>
    public static string Describe(JsonElement audience) =>
        audience.TryGetProperty("tenants", out var t) ? "tenants " + string.Join(", ", t.EnumerateArray().Select(x => x.GetString()))
        : audience.TryGetProperty("roles", out var r) ? "roles " + string.Join(", ", r.EnumerateArray().Select(x => x.GetString()))
        : audience.TryGetProperty("filter", out _) ? "an attribute filter"
        : "all tenants";

    private static string[] Names(string? list) =>
        (list ?? "").Split([',', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>What the form partial needs: the fields, the errors by JSON path, whether it can still change, where to count.</summary>
public sealed record BroadcastFormView(BroadcastForm Form, Dictionary<string, string[]> Errors, bool Disabled)
{
    public string? Error(string field) =>
        Errors.Where(e => e.Key == field || e.Key.StartsWith(field + ".", StringComparison.Ordinal)).SelectMany(e => e.Value) is var all && all.Any()
            ? string.Join(" ", all) : null;
}
