using System.Text.Json.Nodes;

namespace Comms.ReliabilityTests.Infrastructure;

/// <summary>What another tenant's call of an operation on the first tenant's resources must come to.</summary>
public enum Tenancy
{
    /// <summary>It names the first tenant's resource (path parameter or body): never a 2xx for another tenant.</summary>
    Denied,

    /// <summary>It creates or replaces a resource by name in the caller's own tenant: a 2xx is the caller's own business.</summary>
    CreatesInCaller,

    /// <summary>It reads or changes the caller's own data (lists, <c>/me</c>): a 2xx shows only the caller's data.</summary>
    CallersOwn,

    /// <summary>Platform operators only (<c>/sys</c>): no tenant key or user token gets a 2xx.</summary>
    NotTenantScoped,
}

/// <summary>How a string query parameter treats values it does not know.</summary>
public enum QueryKind
{
    /// <summary>A cursor, an enumeration or a slug: anything else is 400.</summary>
    Strict,

    /// <summary>A free-text filter (a category, a reason code): an unknown value matches nothing (200), so only NUL is hostile.</summary>
    Free,
}

/// <param name="Tenancy">See <see cref="Tenancy"/>.</param>
/// <param name="Body">A plausible valid body for the tenant's resources (operations that take one).</param>
/// <param name="OwnerMayFail">Why the tenant's own call may be refused too (the positive control), or null when it must succeed.</param>
public sealed record OperationSpec(Tenancy Tenancy, Func<SeededTenant, JsonObject>? Body = null, string? OwnerMayFail = null);

/// <summary>
/// The table the generated suites need beside the OpenAPI document: per operation, its tenancy, an example
/// body, how to fill its path parameters from a seeded tenant, and how its query parameters treat unknown
/// values. An operation of the document that is missing here fails the suites (add it, do not skip it).
/// </summary>
public static class OperationCatalog
{
    private static readonly JsonNode VariablesSchema =
        JsonNode.Parse("""{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}""")!;

    public static readonly IReadOnlyDictionary<string, OperationSpec> Specs = new Dictionary<string, OperationSpec>(StringComparer.Ordinal)
    {
        // Events: another tenant has no such event name (422) and no such event id (404).
        ["POST /v1/events"] = new(Tenancy.Denied, Event),
        ["POST /v1/events/bulk"] = new(Tenancy.Denied, t => new JsonObject { ["events"] = new JsonArray(Event(t)) }),
        ["GET /v1/events/{id}"] = new(Tenancy.Denied),

        ["GET /v1/recipients"] = new(Tenancy.CallersOwn),
        ["POST /v1/recipients"] = new(Tenancy.CreatesInCaller, t => Recipient(t.ExternalId)),
        ["GET /v1/recipients/{externalId}"] = new(Tenancy.Denied),
        ["POST /v1/recipients/bulk"] = new(Tenancy.CreatesInCaller, t => new JsonObject { ["recipients"] = new JsonArray(BulkRecipient(t.ExternalId)) }),
        ["PUT /v1/recipients/{externalId}"] = new(Tenancy.CreatesInCaller, _ => Recipient(null)),
        ["DELETE /v1/recipients/{externalId}"] = new(Tenancy.Denied),
        ["PUT /v1/recipients/{externalId}/devices"] = new(Tenancy.Denied, _ => new JsonObject { ["provider"] = "expo", ["token"] = "ExponentPushToken[reliability]" }),
        ["GET /v1/recipients/{externalId}/devices"] = new(Tenancy.Denied),
        ["DELETE /v1/recipients/{externalId}/devices/{deviceId}"] = new(Tenancy.Denied),
        ["GET /v1/recipients/{externalId}/preferences"] = new(Tenancy.Denied),
        ["PUT /v1/recipients/{externalId}/preferences"] = new(Tenancy.Denied, _ => Preferences()),
        ["GET /v1/recipients/{externalId}/decisions"] = new(Tenancy.Denied),
        ["GET /v1/recipients/{externalId}/export"] = new(Tenancy.Denied),
        // Erases a recipient seeded for it alone (the others' operations keep theirs); a second erase is 409.
        ["POST /v1/recipients/{externalId}/erase"] = new(Tenancy.Denied, OwnerMayFail: "409 when another suite erased the seeded erasable recipient first"),

        ["POST /v1/api-keys"] = new(Tenancy.CreatesInCaller, _ => new JsonObject { ["name"] = "reliability", ["roles"] = Array("editor") }),
        ["GET /v1/api-keys"] = new(Tenancy.CallersOwn),
        ["GET /v1/api-keys/{id}"] = new(Tenancy.Denied),
        ["DELETE /v1/api-keys/{id}"] = new(Tenancy.Denied),

        ["POST /v1/signing-keys"] = new(Tenancy.CreatesInCaller, t => new JsonObject
        {
            ["kid"] = t.Kid + "-2", ["algorithm"] = "HS256", ["issuer"] = "reliability-issuer", ["audience"] = "reliability-audience",
        }),
        ["GET /v1/signing-keys"] = new(Tenancy.CallersOwn),
        ["GET /v1/signing-keys/{kid}"] = new(Tenancy.Denied),
        ["DELETE /v1/signing-keys/{kid}"] = new(Tenancy.Denied),

        ["POST /v1/webhook-endpoints"] = new(Tenancy.CreatesInCaller, t => new JsonObject
        {
            ["url"] = "https://hooks.example.com/comms", ["eventTypes"] = Array(t.EventName), ["description"] = "Reliability",
        }),
        ["GET /v1/webhook-endpoints"] = new(Tenancy.CallersOwn),
        ["GET /v1/webhook-endpoints/{id}"] = new(Tenancy.Denied),
        ["PATCH /v1/webhook-endpoints/{id}"] = new(Tenancy.Denied, _ => new JsonObject { ["enabled"] = true }),
        ["DELETE /v1/webhook-endpoints/{id}"] = new(Tenancy.Denied),
        ["POST /v1/webhook-endpoints/{id}/rotate-secret"] = new(Tenancy.Denied),
        ["GET /v1/webhook-endpoints/{id}/deliveries"] = new(Tenancy.Denied),

        ["GET /v1/messages"] = new(Tenancy.CallersOwn),
        ["GET /v1/messages/{id}"] = new(Tenancy.Denied),
        ["POST /v1/messages/{id}/resend"] = new(Tenancy.Denied, OwnerMayFail: "409: the seeded message was sent, not failed"),
        ["POST /v1/messages/resend"] = new(Tenancy.CallersOwn, _ => new JsonObject { ["filter"] = new JsonObject { ["status"] = "failed" }, ["max"] = 10 }),

        ["GET /v1/categories"] = new(Tenancy.CallersOwn),
        ["PUT /v1/categories/{name}"] = new(Tenancy.CreatesInCaller,
            _ => new JsonObject { ["description"] = "Reliability", ["critical"] = false, ["defaultChannels"] = Array("email", "push") }),
        ["DELETE /v1/categories/{name}"] = new(Tenancy.Denied, OwnerMayFail: "409 while the tenant's rule and template use the category"),

        ["GET /v1/templates"] = new(Tenancy.CallersOwn),
        ["GET /v1/templates/{name}"] = new(Tenancy.Denied),
        ["GET /v1/templates/{name}/{channel}/{locale}/draft"] = new(Tenancy.Denied),
        ["PUT /v1/templates/{name}/{channel}/{locale}/draft"] = new(Tenancy.CreatesInCaller, _ => Draft()),
        ["DELETE /v1/templates/{name}/{channel}/{locale}/draft"] = new(Tenancy.Denied),
        ["POST /v1/templates/{name}/{channel}/{locale}/draft/preview"] = new(Tenancy.Denied, _ => Preview()),
        ["POST /v1/templates/{name}/{channel}/{locale}/publish"] = new(Tenancy.Denied),
        ["POST /v1/templates/{name}/{channel}/{locale}/approve"] = new(Tenancy.Denied, OwnerMayFail: "409: nothing awaits approval"),
        ["POST /v1/templates/{name}/{channel}/{locale}/reject"] = new(Tenancy.Denied, OwnerMayFail: "409: nothing awaits approval"),
        ["GET /v1/templates/{name}/{channel}/{locale}/versions/{version}"] = new(Tenancy.Denied),
        ["PUT /v1/templates/{name}/{channel}/{locale}/versions/{version}"] = new(Tenancy.Denied, OwnerMayFail: "409: versions are immutable"),
        ["PATCH /v1/templates/{name}/{channel}/{locale}/versions/{version}"] = new(Tenancy.Denied, OwnerMayFail: "409: versions are immutable"),
        ["DELETE /v1/templates/{name}/{channel}/{locale}/versions/{version}"] = new(Tenancy.Denied, OwnerMayFail: "409: versions are immutable"),
        ["POST /v1/templates/{name}/{channel}/{locale}/versions/{version}/preview"] = new(Tenancy.Denied, _ => Preview()),

        ["GET /v1/routing-rules"] = new(Tenancy.CallersOwn),
        ["GET /v1/routing-rules/{eventName}"] = new(Tenancy.Denied),
        ["PUT /v1/routing-rules/{eventName}"] = new(Tenancy.CreatesInCaller, t => new JsonObject
        {
            // Only the channel the seeded template has: a rule naming a channel its template lacks is refused (422).
            ["templateName"] = t.TemplateName, ["category"] = "account", ["channels"] = Array(SeededTenant.Channel), ["delaySeconds"] = 5,
            ["dedupe"] = new JsonObject { ["key"] = "dedupe-{{ name }}", ["windowSeconds"] = 300 },
        }),
        ["DELETE /v1/routing-rules/{eventName}"] = new(Tenancy.Denied),

        // Contexts: another tenant has no context of that key (404); creating one by key is the caller's own business.
        ["PUT /v1/contexts/{key}"] = new(Tenancy.CreatesInCaller, t => new JsonObject
        {
            ["kind"] = "event", ["name"] = "Reliability", ["ownerExternalId"] = t.ExternalId, ["date"] = "2030-06-01T19:00:00+02:00", ["venue"] = "Hall",
        }),
        ["GET /v1/contexts/{key}"] = new(Tenancy.Denied),
        ["PUT /v1/contexts/{key}/members/{externalId}"] = new(Tenancy.Denied, _ => new JsonObject { ["status"] = "attending" }),
        ["DELETE /v1/contexts/{key}/members/{externalId}"] = new(Tenancy.Denied),
        ["POST /v1/contexts/{key}/status"] = new(Tenancy.Denied, _ => new JsonObject { ["status"] = "paused" }),
        ["GET /v1/contexts/{key}/messages"] = new(Tenancy.Denied),
        ["GET /v1/contexts/{key}/messages/recipient-count"] = new(Tenancy.Denied),
        ["POST /v1/contexts/{key}/messages"] = new(Tenancy.Denied, _ => new JsonObject
        {
            ["audience"] = "attending", ["channels"] = Array("in_app"), ["subject"] = "Hi {{guest_name}}", ["body"] = "See you", ["status"] = "draft",
        }),
        ["GET /v1/contexts/{key}/messages/{messageId}"] = new(Tenancy.Denied),
        ["PATCH /v1/contexts/{key}/messages/{messageId}"] = new(Tenancy.Denied, _ => new JsonObject { ["subject"] = "Changed" },
            OwnerMayFail: "409 once an earlier call sent or cancelled the seeded message"),
        ["POST /v1/contexts/{key}/messages/{messageId}/send-now"] = new(Tenancy.Denied, OwnerMayFail: "409 once an earlier call sent or cancelled the seeded message"),
        ["DELETE /v1/contexts/{key}/messages/{messageId}"] = new(Tenancy.Denied, OwnerMayFail: "409 once an earlier call sent or cancelled the seeded message"),

        ["GET /me/notifications"] = new(Tenancy.CallersOwn),
        ["GET /me/notifications/count"] = new(Tenancy.CallersOwn),
        ["POST /me/notifications/{id}/read"] = new(Tenancy.Denied),
        ["POST /me/notifications/{id}/unread"] = new(Tenancy.Denied),
        ["POST /me/notifications/{id}/archive"] = new(Tenancy.Denied),
        ["POST /me/notifications/{id}/unarchive"] = new(Tenancy.Denied),
        ["POST /me/notifications/seen"] = new(Tenancy.CallersOwn),
        ["POST /me/notifications/read-all"] = new(Tenancy.CallersOwn),
        ["GET /me/notifications/preferences"] = new(Tenancy.CallersOwn),
        ["PUT /me/notifications/preferences"] = new(Tenancy.CallersOwn, _ => Preferences()),
        ["GET /me/communications"] = new(Tenancy.CallersOwn),
        ["PUT /me/communications"] = new(Tenancy.CallersOwn, _ => Preferences()),

        // In-context mail, in a context of its own (MailContextKey) owned by the shared user (A's user of the positive control), a member too.
        ["POST /v1/contexts/{key}/mail"] = new(Tenancy.Denied, _ => Mail()),
        ["POST /me/contexts/{key}/mail"] = new(Tenancy.Denied, _ => Mail()),
        ["GET /me/contexts/{key}/mail"] = new(Tenancy.Denied),
        ["GET /me/contexts/{key}/mail/{id}"] = new(Tenancy.Denied),
        ["POST /me/contexts/{key}/mail/{id}/read"] = new(Tenancy.Denied),
        ["DELETE /me/contexts/{key}/mail/{id}"] = new(Tenancy.Denied, OwnerMayFail: "409 COMMS_MAIL_NOT_READ when the read did not run first"),
        ["GET /me/contexts/unread"] = new(Tenancy.CallersOwn),

        ["POST /sys/tenants"] = new(Tenancy.NotTenantScoped, _ => new JsonObject
        {
            ["id"] = "reliability-" + Guid.NewGuid().ToString("N")[..8], ["name"] = "Reliability", ["defaultLocale"] = "de-DE", ["defaultTimeZone"] = "Europe/Berlin",
        }),
        ["GET /sys/tenants"] = new(Tenancy.NotTenantScoped),
        ["GET /sys/tenants/{id}"] = new(Tenancy.NotTenantScoped),
        ["PATCH /sys/tenants/{id}"] = new(Tenancy.NotTenantScoped, _ => new JsonObject
        {
            ["name"] = "Renamed", ["defaultLocale"] = "fr-FR", ["allowedLinkSchemes"] = Array("myapp"),
        }),

        // Release notes (platform-wide): the suites seed none, so the owner's call on a note by id is a 404.
        ["POST /sys/release-notes"] = new(Tenancy.NotTenantScoped, _ => new JsonObject
        {
            ["version"] = $"9.{Random.Shared.Next(1_000_000)}.{Random.Shared.Next(1_000_000)}", ["title"] = "Reliability", ["publicBody"] = "Public words.",
            ["visibility"] = "public", ["channels"] = Array("in_app"),
        }),
        ["GET /sys/release-notes"] = new(Tenancy.NotTenantScoped),
        ["GET /sys/release-notes/{id}"] = new(Tenancy.NotTenantScoped, OwnerMayFail: "404 COMMS_NOT_FOUND: no note is seeded"),
        ["PUT /sys/release-notes/{id}"] = new(Tenancy.NotTenantScoped, _ => new JsonObject { ["version"] = "9.0.0-reliability", ["title"] = "Reliability" },
            OwnerMayFail: "404 COMMS_NOT_FOUND: no note is seeded"),
        ["DELETE /sys/release-notes/{id}"] = new(Tenancy.NotTenantScoped, OwnerMayFail: "404 COMMS_NOT_FOUND: no note is seeded"),
        ["POST /sys/release-notes/{id}/publish"] = new(Tenancy.NotTenantScoped, OwnerMayFail: "404 COMMS_NOT_FOUND: no note is seeded"),

        // Operator sign-in takes no credential: an unknown operator's sign-in is 401 whoever calls it (no seed operators here).
        ["POST /sys/auth/token"] = new(Tenancy.NotTenantScoped, _ => new JsonObject
        {
            ["email"] = "nobody@example.test", ["password"] = "Not-the-Passw0rd!", ["totp"] = "123456",
        }),
        // The signed-in operator's own account: operator tokens only (the platform key and tenant credentials are 401).
        ["POST /sys/auth/totp"] = new(Tenancy.NotTenantScoped),
        ["POST /sys/auth/totp/confirm"] = new(Tenancy.NotTenantScoped, _ => new JsonObject { ["code"] = "123456" }),
        ["POST /sys/auth/sign-out-everywhere"] = new(Tenancy.NotTenantScoped),
        // An operator's direct message to a user: operator tokens only (the platform key is 403, tenant credentials 401).
        ["POST /sys/users/{id}/messages"] = new(Tenancy.NotTenantScoped, _ => new JsonObject
        {
            ["channels"] = Array("email"), ["subject"] = "About your booking", ["body"] = "It moved to Friday.",
            ["reason"] = "Support ticket 4711", ["testSend"] = true,
        }),

        // Platform banners (operators): no banner is seeded, so calls naming one (or an activation of an unknown template) may be 404.
        ["POST /sys/banner-templates"] = new(Tenancy.NotTenantScoped, _ => BannerTemplate()),
        ["GET /sys/banner-templates"] = new(Tenancy.NotTenantScoped),
        ["GET /sys/banner-templates/{templateId}"] = new(Tenancy.NotTenantScoped, OwnerMayFail: "404: no banner template is seeded"),
        ["PUT /sys/banner-templates/{templateId}"] = new(Tenancy.NotTenantScoped, _ => BannerTemplate(), OwnerMayFail: "404: no banner template is seeded"),
        ["DELETE /sys/banner-templates/{templateId}"] = new(Tenancy.NotTenantScoped, OwnerMayFail: "404: no banner template is seeded"),
        ["POST /sys/banner-activations"] = new(Tenancy.NotTenantScoped, BannerActivation, OwnerMayFail: "404: no banner template is seeded"),
        ["GET /sys/banner-activations"] = new(Tenancy.NotTenantScoped),
        ["GET /sys/banner-activations/{activationId}"] = new(Tenancy.NotTenantScoped, OwnerMayFail: "404: no banner activation is seeded"),
        ["PUT /sys/banner-activations/{activationId}"] = new(Tenancy.NotTenantScoped, BannerActivation, OwnerMayFail: "404: no banner activation is seeded"),
        ["DELETE /sys/banner-activations/{activationId}"] = new(Tenancy.NotTenantScoped, OwnerMayFail: "404: no banner activation is seeded"),
        ["GET /me/banners"] = new(Tenancy.CallersOwn),
        // The operator inbox (platform-wide): no thread is seeded, so calls naming one are 404; assign needs an operator id
        // (the platform key has no "self"), which the suites do not have: 400 naming operatorId, or 404 for the unknown thread.
        ["GET /sys/inbox"] = new(Tenancy.NotTenantScoped),
        ["GET /sys/inbox/{threadId}"] = new(Tenancy.NotTenantScoped, OwnerMayFail: "404: no inbox thread is seeded"),
        ["POST /sys/inbox/{threadId}/assign"] = new(Tenancy.NotTenantScoped, _ => new JsonObject { ["operatorId"] = UnseededBanner.ToString() },
            OwnerMayFail: "400/404: no operator or inbox thread is seeded"),
        ["POST /sys/inbox/{threadId}/reply"] = new(Tenancy.NotTenantScoped, _ => new JsonObject { ["body"] = "Thanks, we are on it." },
            OwnerMayFail: "404: no inbox thread is seeded"),
        ["POST /sys/inbox/{threadId}/close"] = new(Tenancy.NotTenantScoped, OwnerMayFail: "404: no inbox thread is seeded"),
        ["POST /sys/inbox/{threadId}/reopen"] = new(Tenancy.NotTenantScoped, OwnerMayFail: "404: no inbox thread is seeded"),
        ["GET /sys/audit"] = new(Tenancy.NotTenantScoped),
        ["POST /me/banners/{activationId}/dismiss"] = new(Tenancy.Denied, OwnerMayFail: "404: no banner activation is seeded"),

        // Broadcasts (operators): none is seeded, so calls naming one are 404; test-send and send need an operator token (the platform key is 403).
        ["POST /sys/broadcasts"] = new(Tenancy.NotTenantScoped, Broadcast),
        ["GET /sys/broadcasts"] = new(Tenancy.NotTenantScoped),
        ["GET /sys/broadcasts/{id}"] = new(Tenancy.NotTenantScoped, OwnerMayFail: "404: no broadcast is seeded"),
        ["PUT /sys/broadcasts/{id}"] = new(Tenancy.NotTenantScoped, Broadcast, OwnerMayFail: "404: no broadcast is seeded"),
        ["GET /sys/broadcasts/{id}/audience-count"] = new(Tenancy.NotTenantScoped, OwnerMayFail: "404: no broadcast is seeded"),
        ["POST /sys/broadcasts/{id}/test-send"] = new(Tenancy.NotTenantScoped, OwnerMayFail: "403: an operator token is needed"),
        ["POST /sys/broadcasts/{id}/send"] = new(Tenancy.NotTenantScoped, OwnerMayFail: "403: an operator token is needed"),
        ["POST /sys/broadcasts/{id}/pause"] = new(Tenancy.NotTenantScoped, OwnerMayFail: "404: no broadcast is seeded"),
        ["POST /sys/broadcasts/{id}/resume"] = new(Tenancy.NotTenantScoped, OwnerMayFail: "404: no broadcast is seeded"),
        ["POST /sys/broadcasts/{id}/cancel"] = new(Tenancy.NotTenantScoped, OwnerMayFail: "404: no broadcast is seeded"),

        // Called by Twilio, signed with the account's auth token: no tenant key or user token gets a 2xx.
        ["POST /webhooks/twilio/inbound"] = new(Tenancy.NotTenantScoped),
    };

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

    public static OperationSpec For(ApiOperation operation) =>
        Specs.TryGetValue(operation.Key, out var spec) ? spec : throw new KeyNotFoundException($"{operation.Key} is not in the catalog.");

    /// <summary>Operations of the document that the catalog does not describe, and catalog entries the document no longer has.</summary>
    public static List<string> Gaps(IReadOnlyList<ApiOperation> operations)
    {
        var gaps = operations.Where(o => !Specs.ContainsKey(o.Key)).Select(o => $"{o.Key}: not in OperationCatalog.Specs").ToList();
        gaps.AddRange(operations.Where(o => o.TakesBody && Specs.TryGetValue(o.Key, out var s) && s.Body is null).Select(o => $"{o.Key}: takes a body but has no example"));
        gaps.AddRange(Specs.Keys.Except(operations.Select(o => o.Key)).Select(k => $"{k}: in the catalog but not in the document"));
        gaps.AddRange(operations.SelectMany(o => o.QueryParameters.Where(p => !p.IsInteger).Select(p => $"{o.Key}?{p.Name}"))
            .Where(k => !StringQueries.ContainsKey(k)).Select(k => $"{k}: string query parameter without a QueryKind"));
        return gaps;
    }

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
