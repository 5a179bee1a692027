using System.Text.Json;
using Comms.Core.Events;
using Comms.Core.Recipients;
using Comms.Core.Tenancy;

namespace Comms.Core.Templates;

/// <summary>
/// The variables every template sees besides its payload: <c>recipient.*</c> (<c>external_id</c>, <c>name</c>,
/// <c>email</c>, <c>phone</c>, <c>locale</c>, <c>time_zone</c>, <c>roles</c>, <c>attributes</c>), <c>tenant.*</c>
/// (<c>id</c>, <c>name</c>) and <c>event.*</c> (<c>id</c>, <c>name</c>, <c>category</c>, <c>priority</c>,
/// <c>cause_ref</c>, <c>actor</c>) and <c>unsubscribe_url</c> (an email's one-click unsubscribe link, the same as its
/// <c>List-Unsubscribe</c> header; empty for critical categories and other channels); digest templates also see
/// <c>events</c>, <c>count</c>, <c>omitted</c>, <c>first</c>, <c>last</c> and <c>digest_key</c>. A payload property
/// of the same name wins over a built-in.
/// </summary>
public static class TemplateBuiltIns
{
    /// <summary>Names a template may use without declaring them in its variables schema.</summary>
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        "recipient", "tenant", "event", "unsubscribe_url",
        // digest templates
        "events", "count", "omitted", "first", "last", "digest_key",
        // Liquid's own
        "forloop", "tablerowloop", "empty", "blank", "nil", "null", "true", "false",
    };

    /// <summary>What previews render as <c>unsubscribe_url</c> for an email of a category that is not critical.</summary>
    public const string ExampleUnsubscribeUrl = "https://comms.example/unsubscribe/EXAMPLE-TOKEN";

    public static Dictionary<string, object?> For(
        Recipient recipient, Tenant tenant, EventRecord? ev, string? eventName = null, string? category = null, string? unsubscribeUrl = null) =>
        new(StringComparer.Ordinal)
    {
        ["unsubscribe_url"] = unsubscribeUrl ?? "",
        ["recipient"] = Recipient(recipient),
        ["tenant"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["id"] = tenant.Id, ["name"] = tenant.Name },
        ["event"] = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["id"] = ev?.Id.ToString(), ["name"] = ev?.Name ?? eventName, ["category"] = ev?.Category ?? category,
            ["priority"] = ev?.Priority, ["cause_ref"] = ev?.CauseRef, ["actor"] = ev?.Actor,
        },
    };

    /// <summary>What a preview renders with: an example recipient of the tenant, an example event and, when given, an example unsubscribe link.</summary>
    public static Dictionary<string, object?> Sample(string tenantId, string templateName, string? category, string? unsubscribeUrl = null) => For(
        new Recipient
        {
            TenantId = tenantId, ExternalId = "user-123", Name = "Alex Example", Email = "alex@example.test", Phone = "+15555550123",
            Locale = "en-US", TimeZone = "UTC", Roles = ["member"],
        },
        new Tenant { Id = tenantId, Name = tenantId },
        new EventRecord { TenantId = tenantId, Name = templateName, Category = category ?? "account", CauseRef = "preview:1" },
        unsubscribeUrl: unsubscribeUrl);

    private static Dictionary<string, object?> Recipient(Recipient recipient)
    {
        object? attributes;
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrEmpty(recipient.Attributes) ? "{}" : recipient.Attributes);
            attributes = JsonValues.ToClr(document.RootElement);
        }
        catch (JsonException)
        {
            attributes = new Dictionary<string, object?>();
        }

        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["external_id"] = recipient.ExternalId, ["name"] = recipient.Name, ["email"] = recipient.Email, ["phone"] = recipient.Phone,
            ["locale"] = recipient.Locale, ["time_zone"] = recipient.TimeZone, ["roles"] = recipient.Roles.ToList(), ["attributes"] = attributes,
        };
    }
}
