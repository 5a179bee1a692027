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
public static partial class OperationCatalog
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
        ["POST /sys/release-notes/{id}/announce"] = new(Tenancy.NotTenantScoped, _ => new JsonObject { ["audience"] = new JsonObject { ["tenants"] = Array("demo") } },
            OwnerMayFail: "404 COMMS_NOT_FOUND: no note is seeded"),

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
}
