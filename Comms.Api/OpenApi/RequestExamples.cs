namespace Comms.Api.OpenApi;

/// <summary>
/// One request body per operation that takes one, each valid against the development seed (tenant <c>demo</c>,
/// users <c>alice</c> and <c>bob</c>, event <c>demo.welcome</c>), so "Test request" in Scalar works as it stands.
/// A test sends every one of them (<c>OpenApiContractTests</c>).
/// </summary>
public static class RequestExamples
{
    private static readonly Dictionary<string, string> Examples = new(StringComparer.Ordinal)
    {
        ["POST sys/auth/token"] = """
            {"email":"ops@example.test","password":"Operator-Passw0rd!"}
            """,
        ["POST sys/auth/totp/confirm"] = """
            {"code":"123456"}
            """,
        ["POST sys/users/{id}/messages"] = """
            {"channels":["email","in_app"],"subject":"About your booking","body":"Your booking moved to Friday; sorry for the trouble.","reason":"Support ticket 4711: booking moved","testSend":true}
            """,
        ["POST v1/events"] = """
            {"name":"demo.welcome","recipients":["alice"],"causeRef":"signup:1","category":"account","payload":{"name":"Alice"}}
            """,
        ["POST v1/events/bulk"] = """
            {"events":[{"name":"demo.welcome","recipients":["alice"],"causeRef":"signup:2","payload":{"name":"Alice"}},{"name":"demo.welcome","recipients":["bob"],"causeRef":"signup:3","payload":{"name":"Bob"}}]}
            """,
        ["POST v1/recipients"] = """
            {"externalId":"carol","name":"Carol","email":"carol@example.test","locale":"en-GB","timeZone":"Europe/London","roles":["member"]}
            """,
        ["POST v1/recipients/bulk"] = """
            {"recipients":[{"externalId":"alice","name":"Alice","email":"alice@example.test","locale":"en-US","devices":[{"provider":"webpush","token":"webpush-subscription-of-alice"}],"preferences":[{"category":"promotions","channel":"email","enabled":true}]},{"externalId":"dave","name":"Dave","email":"dave@example.test","timeZone":"Europe/Berlin","roles":["member"]}]}
            """,
        ["PUT v1/recipients/{externalId}"] = """
            {"name":"Alice","email":"alice@example.test","locale":"en-US","timeZone":"America/New_York","roles":["member"],"quietHours":{"enabled":true,"start":"22:00","end":"07:00","exceptions":["booking"]}}
            """,
        ["PUT v1/recipients/{externalId}/devices"] = """
            {"provider":"fcm","token":"fcm-device-token-of-alice"}
            """,
        ["PUT v1/recipients/{externalId}/preferences"] = """
            {"preferences":[{"category":"promotions","channel":"email","enabled":true}],"dmMuted":{"sms":true}}
            """,
        ["POST v1/api-keys"] = """
            {"name":"Billing service","roles":["editor"]}
            """,
        ["POST v1/signing-keys"] = """
            {"kid":"web-2026","algorithm":"HS256"}
            """,
        ["POST v1/webhook-endpoints"] = """
            {"url":"https://hooks.example.com/comms","eventTypes":["order.shipped"],"description":"Order updates for the warehouse"}
            """,
        ["POST v1/messages/resend"] = """
            {"filter":{"status":"failed","channel":"email","from":"2026-11-26T00:00:00Z"},"max":500}
            """,
        ["PATCH v1/webhook-endpoints/{id}"] = """
            {"enabled":false}
            """,
        ["PUT v1/categories/{name}"] = """
            {"description":"Order updates","critical":false,"defaultChannels":["in_app","email"]}
            """,
        ["PUT v1/templates/{name}/{channel}/{locale}/draft"] = """
            {"category":"account","marketing":false,"content":{"subject":"Welcome to Comms, {{ name }}!","text":"Hello {{ name }}, your account is ready."},"variablesSchema":{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}}
            """,
        ["POST v1/templates/{name}/{channel}/{locale}/draft/preview"] = """
            {"payload":{"name":"Alice"}}
            """,
        ["POST v1/templates/{name}/{channel}/{locale}/versions/{version}/preview"] = """
            {"payload":{"name":"Alice"}}
            """,
        ["PUT v1/routing-rules/{eventName}"] = """
            {"templateName":"demo.welcome","category":"account","channels":["in_app","email"]}
            """,
        ["PUT v1/contexts/{key}"] = """
            {"kind":"event","name":"Demo party","ownerExternalId":"alice","date":"2030-06-01T19:00","timeZone":"Europe/Berlin","venue":"The Barn","attributes":{"rsvpLink":"https://example.com/rsvp/demo-party"}}
            """,
        ["PUT v1/contexts/{key}/members/{externalId}"] = """
            {"status":"attending"}
            """,
        ["POST v1/contexts/{key}/status"] = """
            {"status":"paused"}
            """,
        ["POST v1/contexts/{key}/messages"] = """
            {"audience":"attending","channels":["in_app","email"],"subject":"See you soon, {{guest_name}}","body":"{{event_name}} starts {{event_date}} at {{venue}}. Details: {{rsvp_link}}","status":"draft"}
            """,
        ["PATCH v1/contexts/{key}/messages/{messageId}"] = """
            {"subject":"Tomorrow: {{event_name}}","audience":"everyone"}
            """,
        ["POST v1/contexts/{key}/mail"] = """
            {"scope":"all_members","subject":"Change of venue","body":"We meet at the Old Mill instead of The Barn. Same time."}
            """,
        ["POST me/contexts/{key}/mail"] = """
            {"scope":"active","subject":"Bring a dish","body":"Everyone brings one dish to share; tell me what you bring."}
            """,
        ["PUT me/notifications/preferences"] = """
            {"preferences":[{"category":"promotions","channel":"email","enabled":false}],"timeZone":"Europe/Berlin","dmMuted":{"email":true}}
            """,
        ["PUT me/communications"] = """
            {"preferences":[{"category":"promotions","channel":"email","enabled":false}]}
            """,
        ["POST sys/banner-templates"] = """
            {"kind":"maintenance","title":"Planned maintenance","body":"Comms is **read-only** on Sunday 02:00-03:00 UTC.","link":"https://status.example.test","severity":"warning","dismissible":true}
            """,
        ["PUT sys/banner-templates/{templateId}"] = """
            {"kind":"maintenance","title":"Planned maintenance (moved)","body":"Comms is **read-only** on Sunday 03:00-04:00 UTC.","severity":"warning","dismissible":true}
            """,
        ["POST sys/banner-activations"] = """
            {"templateId":"0193a0c4-5b1e-7000-8000-00000000b4a1","startsAt":"2026-11-29T01:00:00Z","endsAt":"2026-11-29T04:00:00Z","tenants":["demo"],"roles":[]}
            """,
        ["PUT sys/banner-activations/{activationId}"] = """
            {"templateId":"0193a0c4-5b1e-7000-8000-00000000b4a1","startsAt":"2026-11-29T02:00:00Z","endsAt":"2026-11-29T05:00:00Z","tenants":["demo"],"roles":["member"]}
            """,
        ["POST sys/release-notes"] = """
            {"version":"1.4.0","title":"Faster inbox","internalBody":"Rolled out behind the inbox-v2 flag; watch p99.","publicBody":"The notification center opens **twice as fast**.","sections":{"added":["Unread badges per category"],"changed":["Inbox pages load 50 items"],"fixed":["Mark-all-read on Safari"]},"pullRequests":["https://github.com/example/comms/pull/42"],"visibility":"public","channels":["in_app","email"]}
            """,
        ["PUT sys/release-notes/{id}"] = """
            {"version":"1.4.1","title":"Faster inbox","publicBody":"The notification center opens **twice as fast**.","sections":{"fixed":["Mark-all-read on Safari"]},"visibility":"public","channels":["in_app"]}
            """,
        ["POST sys/release-notes/{id}/announce"] = """
            {"audience":{"tenants":["demo"]},"changelogUrl":"https://comms.example.com/changelog"}
            """,
        ["POST sys/broadcasts"] = """
            {"title":"Maintenance on Sunday","audience":{"allTenants":true},"channels":["banner","email"],"subject":"Maintenance on Sunday 02:00 UTC","body":"Hello {{ recipient.name }}, Comms is read-only on Sunday 02:00-03:00 UTC.","banner":{"kind":"maintenance","severity":"warning"}}
            """,
        ["PUT sys/broadcasts/{id}"] = """
            {"title":"Maintenance on Sunday","audience":{"filter":{"attributes":{"plan":"pro"}}},"channels":["email","push"],"subject":"Maintenance on Sunday 02:00 UTC","body":"Hello {{ recipient.name }}, Comms is read-only on Sunday 02:00-03:00 UTC.","content":{"push":{"subject":"Maintenance Sunday","body":"Read-only 02:00-03:00 UTC"}}}
            """,
        ["POST sys/inbox/{threadId}/assign"] = """
            {"operatorId":"0193a0c4-5b1e-7000-8000-00000000a0a1"}
            """,
        ["POST sys/inbox/{threadId}/reply"] = """
            {"body":"Thanks for writing. The maintenance starts Sunday 02:00 UTC and takes about an hour; nothing is lost meanwhile."}
            """,
        ["POST sys/tenants"] = """
            {"id":"acme","name":"Acme Inc.","defaultLocale":"en-US","defaultTimeZone":"America/New_York"}
            """,
        ["PATCH sys/tenants/{id}"] = """
            {"name":"Demo (renamed)","allowedLinkSchemes":["myapp"],"linkTracking":false,"retentionDays":180}
            """,
    };

    /// <summary>Every example, keyed by <c>"METHOD route"</c> (the route without its leading slash).</summary>
    /// <summary>The operator id in the inbox's assign example (a placeholder: use an operator of yours).</summary>
    public const string ExampleOperatorId = "0193a0c4-5b1e-7000-8000-00000000a0a1";

    /// <summary>The banner template id in the activation examples (a placeholder: use a template of yours).</summary>
    public const string ExampleBannerTemplateId = "0193a0c4-5b1e-7000-8000-00000000b4a1";

    public static IReadOnlyDictionary<string, string> All => Examples;

    public static string? For(string operation) => Examples.GetValueOrDefault(operation);
}
