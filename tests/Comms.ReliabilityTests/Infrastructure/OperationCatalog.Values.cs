using System.Text.Json.Nodes;

namespace Comms.ReliabilityTests.Infrastructure;

/// <summary>The catalog's example values: path parameters, query values and request bodies per operation.</summary>
public static partial class OperationCatalog
{
    /// <summary>String query parameters by operation and name; integers need no entry (anything but a number in range is hostile).</summary>
    public static readonly IReadOnlyDictionary<string, QueryKind> StringQueries = new Dictionary<string, QueryKind>(StringComparer.Ordinal)
    {
        ["GET /v1/events/{id}?after"] = QueryKind.Strict,
        ["GET /v1/recipients?role"] = QueryKind.Strict,
        ["GET /v1/recipients?after"] = QueryKind.Strict,
        ["GET /v1/recipients/{externalId}/decisions?reason"] = QueryKind.Free,
        ["GET /v1/recipients/{externalId}/decisions?outcome"] = QueryKind.Strict,
        ["GET /v1/messages?status"] = QueryKind.Strict,
        ["GET /v1/messages?channel"] = QueryKind.Strict,
        ["GET /v1/messages?provider"] = QueryKind.Strict,
        ["GET /v1/messages?recipient"] = QueryKind.Free,
        ["GET /v1/messages?event"] = QueryKind.Strict,
        ["GET /v1/messages?from"] = QueryKind.Strict,
        ["GET /v1/messages?to"] = QueryKind.Strict,
        ["GET /v1/messages?before"] = QueryKind.Strict,
        ["GET /v1/webhook-endpoints/{id}/deliveries?status"] = QueryKind.Strict,
        ["GET /me/notifications?status"] = QueryKind.Strict,
        ["GET /me/notifications?category"] = QueryKind.Free,
        ["GET /me/notifications?before"] = QueryKind.Strict,
        ["GET /me/notifications?after"] = QueryKind.Strict,
        ["GET /me/notifications?group"] = QueryKind.Strict,
        ["POST /me/notifications/read-all?category"] = QueryKind.Free,
        ["GET /me/contexts/{key}/mail?before"] = QueryKind.Strict,
        ["GET /me/contexts/{key}/mail/{id}?lang"] = QueryKind.Strict,
        ["GET /sys/tenants?after"] = QueryKind.Free,
        ["GET /sys/broadcasts?after"] = QueryKind.Strict,
        ["GET /sys/broadcasts?status"] = QueryKind.Strict,
        ["GET /v1/contexts/{key}/messages/recipient-count?audience"] = QueryKind.Strict,
        ["POST /webhooks/twilio/inbound?tenant"] = QueryKind.Free,
        ["GET /sys/inbox?status"] = QueryKind.Strict,
        ["GET /sys/inbox?cursor"] = QueryKind.Strict,
        ["GET /sys/audit?actor"] = QueryKind.Free,
        ["GET /sys/audit?action"] = QueryKind.Free,
        ["GET /sys/audit?target"] = QueryKind.Free,
        ["GET /sys/audit?from"] = QueryKind.Strict,
        ["GET /sys/audit?to"] = QueryKind.Strict,
        ["GET /sys/audit?cursor"] = QueryKind.Strict,
    };

    /// <summary>The id used for banner templates and activations (none is seeded).</summary>
    public static readonly Guid UnseededBanner = Guid.Parse("0193a0c4-5b1e-7000-8000-00000000b4a2");

    private static JsonObject BannerTemplate() => new()
    {
        ["kind"] = "maintenance", ["title"] = "Reliability", ["body"] = "Planned **maintenance**.", ["severity"] = "info", ["dismissible"] = true,
    };

    private static JsonObject Broadcast(SeededTenant tenant) => new()
    {
        ["title"] = "Reliability", ["audience"] = new JsonObject { ["tenants"] = Array(tenant.Id) }, ["channels"] = Array("email"),
        ["subject"] = "Maintenance", ["body"] = "Hello {{ recipient.name }}.",
    };

    private static JsonObject BannerActivation(SeededTenant tenant) => new()
    {
        ["templateId"] = UnseededBanner.ToString(), ["startsAt"] = "2030-06-01T00:00:00Z", ["endsAt"] = "2030-06-02T00:00:00Z",
        ["tenants"] = Array(tenant.Id),
    };

    /// <summary>The value of a path parameter that names the tenant's own resource.</summary>
    public static string PathValue(SeededTenant tenant, ApiOperation operation, string parameter) => (parameter, operation.Path) switch
    {
        ("id", var p) when p.StartsWith("/v1/events", StringComparison.Ordinal) => tenant.EventId.ToString(),
        ("id", var p) when p.StartsWith("/v1/api-keys", StringComparison.Ordinal) => tenant.AdminKeyId.ToString(),
        ("id", var p) when p.StartsWith("/me/notifications", StringComparison.Ordinal) => tenant.SharedInboxItemId.ToString(),
        ("id", var p) when p.StartsWith("/me/contexts", StringComparison.Ordinal) => tenant.ContextMailId.ToString(),
        ("key", var p) when p.StartsWith("/me/contexts", StringComparison.Ordinal) || p.EndsWith("/mail", StringComparison.Ordinal) => tenant.MailContextKey,
        ("id", var p) when p.StartsWith("/sys/tenants", StringComparison.Ordinal) => tenant.Id,
        ("id", var p) when p.StartsWith("/sys/users", StringComparison.Ordinal) => tenant.EventId.ToString(),
        ("id", var p) when p.StartsWith("/sys/release-notes", StringComparison.Ordinal) => "0196f6a4-0000-7000-8000-000000000000",
        ("id", var p) when p.StartsWith("/sys/broadcasts", StringComparison.Ordinal) => "0196f6a4-0000-7000-8000-0000000000b0",
        ("id", var p) when p.StartsWith("/v1/webhook-endpoints", StringComparison.Ordinal) => tenant.WebhookEndpointId.ToString(),
        ("id", var p) when p.StartsWith("/v1/messages", StringComparison.Ordinal) => tenant.MessageId.ToString(),
        ("externalId", var p) when p.EndsWith("/erase", StringComparison.Ordinal) => tenant.ErasableExternalId,
        ("externalId", _) => tenant.ExternalId,
        ("deviceId", _) => tenant.DeviceId.ToString(),
        ("kid", _) => tenant.Kid,
        ("name", var p) when p.StartsWith("/v1/categories", StringComparison.Ordinal) => tenant.Category,
        ("name", var p) when p.StartsWith("/v1/templates", StringComparison.Ordinal) => tenant.TemplateName,
        ("channel", _) => SeededTenant.Channel,
        ("locale", _) => SeededTenant.Locale,
        ("version", _) => "1",
        ("eventName", _) => tenant.EventName,
        ("key", _) => tenant.ContextKey,
        ("messageId", _) => tenant.ScheduledMessageId.ToString(),
        ("templateId", _) or ("activationId", _) or ("threadId", _) => UnseededBanner.ToString(),
        _ => throw new KeyNotFoundException($"No value for path parameter '{parameter}' of {operation.Key}: add it to OperationCatalog.PathValue."),
    };

    /// <summary>The operation's path with every parameter filled from the tenant (or by <paramref name="replace"/> for one of them).</summary>
    public static string Fill(SeededTenant tenant, ApiOperation operation, string? parameter = null, string? rawValue = null)
    {
        var path = operation.Path;
        foreach (var p in operation.PathParameters)
        {
            var value = p.Name == parameter ? rawValue! : Uri.EscapeDataString(PathValue(tenant, operation, p.Name));
            path = path.Replace("{" + p.Name + "}", value, StringComparison.Ordinal);
        }

        return path;
    }

    private static JsonObject Event(SeededTenant t) => new()
    {
        ["name"] = t.EventName, ["recipients"] = Array(t.ExternalId, SeededTenant.SharedExternalId), ["causeRef"] = "reliability:1",
        ["payload"] = new JsonObject { ["name"] = "Reliability" }, ["category"] = t.Category, ["priority"] = "high", ["locale"] = "de-DE",
        ["actor"] = "reliability-suite",
    };

    private static JsonObject Mail() => new()
    {
        ["scope"] = "all_members", ["subject"] = "Reliability", ["body"] = "Plain text, <b>not</b> HTML.",
    };

    private static JsonObject Recipient(string? externalId)
    {
        var body = new JsonObject
        {
            ["name"] = "Reliability", ["email"] = "reliability@example.test", ["phone"] = "+4915112345678", ["locale"] = "de-DE",
            ["timeZone"] = "Europe/Berlin", ["roles"] = Array("member", "guest"), ["attributes"] = new JsonObject { ["plan"] = "pro", ["seats"] = 3 },
            ["quietHours"] = new JsonObject { ["enabled"] = true, ["start"] = "22:00", ["end"] = "07:00", ["exceptions"] = Array("booking") },
        };
        if (externalId is not null)
        {
            body["externalId"] = externalId;
        }

        return body;
    }

    private static JsonObject BulkRecipient(string externalId)
    {
        var body = Recipient(externalId);
        body["devices"] = new JsonArray(new JsonObject { ["provider"] = "fcm", ["token"] = "reliability-bulk-token" });
        body["preferences"] = new JsonArray(new JsonObject { ["category"] = "promotions", ["channel"] = "email", ["enabled"] = true });
        return body;
    }

    private static JsonObject Preferences() => new()
    {
        ["preferences"] = new JsonArray(new JsonObject { ["category"] = "promotions", ["channel"] = "email", ["enabled"] = true }),
        ["quietHours"] = new JsonObject { ["enabled"] = true, ["start"] = "21:30", ["end"] = "06:45" },
        ["timeZone"] = "Europe/Vienna",
        ["dmMuted"] = new JsonObject { ["email"] = true, ["push"] = false },
    };

    private static JsonObject Draft() => new()
    {
        ["category"] = "account",
        ["content"] = new JsonObject { ["title"] = "Hello {{ name }}", ["body"] = "Some **Markdown** for {{ name }}", ["link"] = "https://example.test/x" },
        ["variablesSchema"] = VariablesSchema.DeepClone(),
        ["variants"] = new JsonArray(
            new JsonObject { ["key"] = "a", ["weight"] = 50, ["content"] = new JsonObject { ["title"] = "A {{ name }}", ["body"] = "a" } },
            new JsonObject { ["key"] = "b", ["weight"] = 50, ["content"] = new JsonObject { ["title"] = "B {{ name }}", ["body"] = "b" } }),
    };

    private static JsonObject Preview() => new() { ["payload"] = new JsonObject { ["name"] = "Reliability" }, ["variant"] = null };

    private static JsonArray Array(params string[] values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
}
