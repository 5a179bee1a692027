using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Comms.Core.Auth;

namespace Comms.ReliabilityTests.Infrastructure;

/// <summary>
/// A tenant with one of everything, created through the API the way a product would set itself up: API keys
/// of every role, a signing key, a category, two recipients (one with an external id that other seeded tenants
/// share), a device, preferences, a published template with a newer draft, a routing rule, and an event
/// delivered to both recipients' inboxes. Every value that identifies the tenant's data is a unique random
/// marker (see <see cref="Markers"/>), so that a response carrying any of it is recognisable.
/// </summary>
public sealed class SeededTenant
{
    /// <summary>The recipient external id every seeded tenant has (same id in several tenants on purpose).</summary>
    public const string SharedExternalId = "shared-user";

    public const string Channel = "in_app";
    public const string Locale = "en-US";

    private readonly ServicesFixture _fixture;
    private readonly HashSet<string> _markers = new(StringComparer.OrdinalIgnoreCase);

    private SeededTenant(ServicesFixture fixture) => _fixture = fixture;

    public string Id { get; private set; } = "";

    /// <summary>Keys by role: "all" (admin + editor + approver), "admin", "editor", "approver", "none".</summary>
    public IReadOnlyDictionary<string, string> Keys => _keys;

    public Guid AdminKeyId { get; private set; }
    public string Kid { get; private set; } = "";
    public string SigningSecret { get; private set; } = "";
    public string Category { get; private set; } = "";
    public string ExternalId { get; private set; } = "";

    /// <summary>A recipient that <c>POST /v1/recipients/{externalId}/erase</c> may erase without breaking the other operations.</summary>
    public string ErasableExternalId { get; private set; } = "";
    public Guid DeviceId { get; private set; }
    public string TemplateName { get; private set; } = "";
    public string EventName { get; private set; } = "";
    public Guid EventId { get; private set; }
    public Guid WebhookEndpointId { get; private set; }

    /// <summary>A dated event context owned by <see cref="ExternalId"/> (who is also its member), and a draft message of it.</summary>
    public string ContextKey { get; private set; } = "";
    public Guid ScheduledMessageId { get; private set; }

    /// <summary>One of the tenant's messages (sent, from <see cref="EventId"/>).</summary>
    public Guid MessageId { get; private set; }

    /// <summary>The inbox item of <see cref="SharedExternalId"/> (and of <see cref="ExternalId"/>).</summary>
    public Guid SharedInboxItemId { get; private set; }
    public Guid InboxItemId { get; private set; }

    /// <summary>A game context owned by <see cref="SharedExternalId"/>, with it and <see cref="ExternalId"/> as active members.</summary>
    public string MailContextKey { get; private set; } = "";

    /// <summary>An admin mail in <see cref="MailContextKey"/> to both members (from the operator).</summary>
    public Guid ContextMailId { get; private set; }

    /// <summary>The tenant's identifying strings: every marker and, after <see cref="CollectIdsAsync"/>, every uuid of its rows.</summary>
    public IReadOnlySet<string> Markers => _markers;

    private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);

    public string FullKey => _keys["all"];

    public HttpClient Client(string? bearer = null) => _fixture.Client(bearer ?? FullKey);

    /// <summary>A one-hour user token of this tenant, signed with its own key.</summary>
    public string UserToken(string externalId) =>
        UserTokens.IssueHs256(SigningSecret, Kid, Id, externalId, TimeSpan.FromHours(1), TimeProvider.System);

    public static async Task<SeededTenant> CreateAsync(ServicesFixture fixture)
    {
        var tenant = new SeededTenant(fixture);
        await tenant.SeedAsync();
        return tenant;
    }

    /// <summary>A new random marker, remembered as identifying this tenant.</summary>
    public string Marker(string prefix)
    {
        var marker = prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        _markers.Add(marker);
        return marker;
    }

    /// <summary>Adds every uuid of the tenant's rows to <see cref="Markers"/> (call once the seed has settled).</summary>
    public async Task CollectIdsAsync()
    {
        foreach (var id in await TenantRows.UuidsAsync(_fixture.DataSource, Id))
        {
            _markers.Add(id);
        }
    }

    private async Task SeedAsync()
    {
        Id = Marker("tenant-");
        using var sys = _fixture.Client(ServicesFixture.SysKey);
        var created = await SendAsync(sys, HttpMethod.Post, "/sys/tenants", new JsonObject { ["id"] = Id, ["name"] = Marker("Tenant ") });
        _keys["admin"] = created["adminKey"]!.GetValue<string>();
        AdminKeyId = created["adminKeyId"]!.GetValue<Guid>();
        _markers.Add(created["adminKeyPrefix"]!.GetValue<string>());

        using var admin = _fixture.Client(_keys["admin"]);
        foreach (var (role, roles) in new[] { ("all", new[] { "admin", "editor", "approver" }), ("editor", ["editor"]), ("approver", ["approver"]), ("none", []) })
        {
            var key = await SendAsync(admin, HttpMethod.Post, "/v1/api-keys", new JsonObject { ["name"] = Marker("key-"), ["roles"] = ToArray(roles) });
            _keys[role] = key["key"]!.GetValue<string>();
            _markers.Add(key["prefix"]!.GetValue<string>());
        }

        Kid = Marker("kid-");
        var signingKey = await SendAsync(admin, HttpMethod.Post, "/v1/signing-keys", new JsonObject { ["algorithm"] = "HS256", ["kid"] = Kid });
        SigningSecret = signingKey["secret"]!.GetValue<string>();
        var webhook = await SendAsync(admin, HttpMethod.Post, "/v1/webhook-endpoints", new JsonObject
        {
            ["url"] = $"https://{Marker("hook-")}.example.com/comms", ["eventTypes"] = ToArray(["*"]), ["description"] = Marker("Webhook "),
        });
        WebhookEndpointId = webhook["id"]!.GetValue<Guid>();

        using var client = Client();
        Category = Marker("cat-");
        await SendAsync(client, HttpMethod.Put, $"/v1/categories/{Category}",
            new JsonObject { ["description"] = Marker("Description "), ["critical"] = false, ["defaultChannels"] = ToArray(["email"]) });

        ExternalId = Marker("user-");
        ErasableExternalId = Marker("erasable-");
        foreach (var externalId in new[] { SharedExternalId, ExternalId, ErasableExternalId })
        {
            await SendAsync(client, HttpMethod.Put, $"/v1/recipients/{externalId}", RecipientBody());
        }

        var device = await SendAsync(client, HttpMethod.Put, $"/v1/recipients/{ExternalId}/devices",
            new JsonObject { ["provider"] = "fcm", ["token"] = Marker("device-token-") });
        DeviceId = device["id"]!.GetValue<Guid>();
        await SendAsync(client, HttpMethod.Put, $"/v1/recipients/{ExternalId}/preferences",
            new JsonObject { ["preferences"] = new JsonArray(new JsonObject { ["category"] = Category, ["channel"] = "email", ["enabled"] = false }) });

        TemplateName = Marker("template-");
        var draft = $"/v1/templates/{TemplateName}/{Channel}/{Locale}/draft";
        await SendAsync(client, HttpMethod.Put, draft, DraftBody());
        await SendAsync(client, HttpMethod.Post, $"/v1/templates/{TemplateName}/{Channel}/{Locale}/publish", null);
        await SendAsync(client, HttpMethod.Put, draft, DraftBody());

        EventName = Marker("event.");
        await SendAsync(client, HttpMethod.Put, $"/v1/routing-rules/{EventName}",
            new JsonObject { ["templateName"] = TemplateName, ["category"] = Category, ["channels"] = ToArray([Channel]) });
        var accepted = await SendAsync(client, HttpMethod.Post, "/v1/events", new JsonObject
        {
            ["name"] = EventName, ["recipients"] = ToArray([SharedExternalId, ExternalId]), ["causeRef"] = Marker("cause-"),
            ["payload"] = new JsonObject { ["name"] = Marker("payload-") },
        });
        EventId = accepted["id"]!.GetValue<Guid>();

        MailContextKey = Marker("game-");
        await SendAsync(client, HttpMethod.Put, $"/v1/contexts/{MailContextKey}",
            new JsonObject { ["kind"] = "game", ["name"] = Marker("Game "), ["ownerExternalId"] = SharedExternalId });
        foreach (var member in new[] { SharedExternalId, ExternalId })
        {
            await SendAsync(client, HttpMethod.Put, $"/v1/contexts/{MailContextKey}/members/{member}", new JsonObject { ["status"] = "active" });
        }

        var mail = await SendAsync(client, HttpMethod.Post, $"/v1/contexts/{MailContextKey}/mail",
            new JsonObject { ["scope"] = "all_members", ["subject"] = Marker("Subject "), ["body"] = Marker("Body ") });
        ContextMailId = mail["id"]!.GetValue<Guid>();

        SharedInboxItemId = await InboxItemOfAsync(SharedExternalId);
        InboxItemId = await InboxItemOfAsync(ExternalId);
        await Poll.UntilAsync(async () =>
        {
            await using var command = _fixture.DataSource.CreateCommand(
                "SELECT (SELECT count(*) FROM messages WHERE tenant_id = @t AND status = 'queued') + (SELECT count(*) FROM events WHERE tenant_id = @t AND status <> 'routed')");
            command.Parameters.AddWithValue("t", Id);
            return (long)(await command.ExecuteScalarAsync())! == 0;
        }, $"tenant {Id}'s event to be routed and delivered");
        await using (var first = _fixture.DataSource.CreateCommand("SELECT id FROM messages WHERE tenant_id = @t ORDER BY id LIMIT 1"))
        {
            first.Parameters.AddWithValue("t", Id);
            MessageId = (Guid)(await first.ExecuteScalarAsync())!;
        }
        ContextKey = Marker("ctx-");
        await SendAsync(client, HttpMethod.Put, $"/v1/contexts/{ContextKey}", new JsonObject
        {
            ["kind"] = "event", ["name"] = Marker("Context "), ["ownerExternalId"] = ExternalId, ["date"] = "2030-06-01T19:00", ["timeZone"] = "Europe/Berlin",
            ["venue"] = Marker("Venue "),
        });
        await SendAsync(client, HttpMethod.Put, $"/v1/contexts/{ContextKey}/members/{ExternalId}", new JsonObject { ["status"] = "attending" });
        var scheduled = await SendAsync(client, HttpMethod.Post, $"/v1/contexts/{ContextKey}/messages",
            new JsonObject { ["subject"] = Marker("Subject "), ["body"] = Marker("Body "), ["status"] = "draft" });
        ScheduledMessageId = scheduled["id"]!.GetValue<Guid>();
        await CollectIdsAsync();
    }

    private async Task<Guid> InboxItemOfAsync(string externalId)
    {
        using var user = _fixture.Client(UserToken(externalId));
        var items = await Poll.UntilAsync(async () =>
        {
            var page = await user.GetFromJsonAsync<JsonElement>("/me/notifications");
            var list = page.GetProperty("items");
            return list.GetArrayLength() > 0 ? list.EnumerateArray().ToList() : null;
        }, $"the inbox item of {externalId} in tenant {Id}");
        return items[0].GetProperty("id").GetGuid();
    }

    private JsonObject RecipientBody()
    {
        var phone = "+4915" + RandomNumberGenerator.GetInt32(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _markers.Add(phone);
        return new JsonObject
        {
            ["name"] = Marker("Name "),
            ["email"] = Marker("mail") + "@example.test",
            ["phone"] = phone,
            ["locale"] = "en-US",
            ["timeZone"] = "UTC",
            ["roles"] = ToArray(["member"]),
            ["attributes"] = new JsonObject { ["team"] = Marker("team-") },
            ["quietHours"] = new JsonObject { ["enabled"] = false },
        };
    }

    private JsonObject DraftBody() => new()
    {
        ["category"] = Category,
        ["content"] = new JsonObject { ["title"] = Marker("Title ") + " {{ name }}", ["body"] = Marker("Body ") + " for **{{ name }}**" },
        ["variablesSchema"] = JsonNode.Parse("""{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}"""),
    };

    private static JsonArray ToArray(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    private static async Task<JsonObject> SendAsync(HttpClient client, HttpMethod method, string path, JsonObject? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Seeding: {method} {path} answered {(int)response.StatusCode}: {text}");
        }

        return text.Length == 0 ? [] : JsonNode.Parse(text) as JsonObject ?? [];
    }
}
