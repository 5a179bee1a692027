using System.Net.Http.Headers;
using System.Net.Http.Json;
using Comms.Core.Auth;
using Comms.Core.Data;
using Comms.Core.Messages;
using Comms.Core.Recipients;
using Comms.Core.Routing;
using Comms.Core.Templates;
using Comms.Core.Tenancy;

namespace Comms.IntegrationTests.Infrastructure;

/// <summary>
/// A fresh tenant per test, so tests share one database without seeing each other's data (which is
/// also what tenancy promises). Seeded straight into the database, like the development seed.
/// </summary>
public sealed class TestTenant
{
    public const string WelcomeEvent = "test.welcome";

    private readonly CommsFixture _fixture;

    /// <summary>The kid of the HS256 user-token signing key every test tenant gets.</summary>
    public const string SigningKeyId = "test-key";

    private TestTenant(CommsFixture fixture, string id, string apiKey, string signingSecret)
    {
        _fixture = fixture;
        Id = id;
        ApiKey = apiKey;
        SigningSecret = signingSecret;
    }

    public string Id { get; }

    public string ApiKey { get; }

    /// <summary>The secret of the tenant's signing key <see cref="SigningKeyId"/>.</summary>
    public string SigningSecret { get; }

    /// <summary>A one-hour user token for <paramref name="externalId"/>, signed with the tenant's key.</summary>
    public string UserToken(string externalId) => _fixture.UserToken(Id, externalId);

    /// <summary>A unique email address for a user of this tenant.</summary>
    public string EmailOf(string externalId) => $"{externalId}.{Id}@example.test";

    /// <summary>A client authenticated with this tenant's admin + editor key, or with <paramref name="apiKey"/>.</summary>
    public HttpClient ApiClient(string? apiKey = null)
    {
        var client = _fixture.Api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey ?? ApiKey);
        return client;
    }

    /// <summary>Adds another API key of this tenant with the given roles (e.g. "approver") and returns it.</summary>
    public async Task<string> AddApiKeyAsync(string name, params string[] roles)
    {
        var (key, prefix) = ApiKeySecrets.Generate();
        await using var db = _fixture.CreateDbContext();
        db.ApiKeys.Add(new ApiKey
        {
            Id = Guid.CreateVersion7(), TenantId = Id, Name = name, Prefix = prefix, KeyHash = ApiKeySecrets.Hash(key),
            Roles = roles, CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
        return key;
    }

    public HttpClient UserClient(string externalId)
    {
        var client = _fixture.Api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _fixture.UserToken(Id, externalId));
        return client;
    }

    public static async Task<TestTenant> CreateAsync(CommsFixture fixture, params string[] users)
    {
        var id = "t" + Guid.NewGuid().ToString("N")[..10];
        var (key, prefix) = ApiKeySecrets.Generate();
        var now = DateTimeOffset.UtcNow;
        await using var db = fixture.CreateDbContext();
        db.Tenants.Add(new Tenant { Id = id, Name = "Test " + id, CreatedAt = now });
        db.ApiKeys.Add(new ApiKey
        {
            Id = Guid.CreateVersion7(), TenantId = id, Name = "test", Prefix = prefix, KeyHash = ApiKeySecrets.Hash(key),
            Roles = [ApiKeyRoles.Admin, ApiKeyRoles.Editor], CreatedAt = now,
        });
        var secret = SigningKeyMaterial.GenerateSecret();
        db.SigningKeys.Add(new SigningKey
        {
            Id = Guid.CreateVersion7(), TenantId = id, Kid = SigningKeyId, Algorithm = SigningAlgorithms.Hs256,
            ProtectedSecret = fixture.SecretProtector.Protect(id, SigningKeyId, secret), CreatedAt = now,
        });
        fixture.RegisterSigningKey(id, SigningKeyId, secret);
        var tenant = new TestTenant(fixture, id, key, secret);
        foreach (var user in users)
        {
            db.Recipients.Add(new Recipient
            {
                Id = Guid.CreateVersion7(), TenantId = id, ExternalId = user, Name = user, Email = tenant.EmailOf(user),
                Locale = "en-US", TimeZone = "UTC", QuietHoursEnabled = false, CreatedAt = now, UpdatedAt = now,
            });
        }

        AddWelcome(db, id, now);
        await db.SaveChangesAsync();
        return tenant;
    }

    /// <summary>Publishes a template version straight into the database (the next version number).</summary>
    public async Task AddTemplateAsync(string name, string channel, TemplateContent content, string locale = "en-US",
        string? schema = null, List<TemplateVariant>? variants = null)
    {
        await using var db = _fixture.CreateDbContext();
        var version = db.Templates.Where(t => t.TenantId == Id && t.Name == name && t.Channel == channel && t.Locale == locale)
            .Max(t => t.Version) ?? 0;
        var now = DateTimeOffset.UtcNow;
        db.Templates.Add(new Template
        {
            Id = Guid.CreateVersion7(), TenantId = Id, Name = name, Channel = channel, Locale = locale, Version = version + 1,
            Status = TemplateStatus.Published, Content = content, VariablesSchema = schema, Variants = variants ?? [],
            CreatedAt = now, UpdatedAt = now, PublishedAt = now,
        });
        await db.SaveChangesAsync();
        await _fixture.CatalogChangedAsync(Id);
    }

    /// <summary>Adds a recipient (quiet hours off, UTC, en-US unless configured).</summary>
    public async Task<Recipient> AddRecipientAsync(string externalId, Action<Recipient>? configure = null)
    {
        var now = DateTimeOffset.UtcNow;
        var recipient = new Recipient
        {
            Id = Guid.CreateVersion7(), TenantId = Id, ExternalId = externalId, Name = externalId, Email = EmailOf(externalId),
            Locale = "en-US", TimeZone = "UTC", QuietHoursEnabled = false, CreatedAt = now, UpdatedAt = now,
        };
        configure?.Invoke(recipient);
        await using var db = _fixture.CreateDbContext();
        db.Recipients.Add(recipient);
        await db.SaveChangesAsync();
        return recipient;
    }

    /// <summary>Creates or replaces a routing rule through the API.</summary>
    public async Task SetRuleAsync(string eventName, object rule)
    {
        var response = await ApiClient().PutAsJsonAsync($"/v1/routing-rules/{eventName}", rule);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT rule {eventName}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Posts an event and returns its id (throws unless 202).</summary>
    public async Task<Guid> PostEventAsync(object body, HttpClient? client = null)
    {
        var response = await (client ?? ApiClient()).PostAsJsonAsync("/v1/events", body);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != System.Net.HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"POST /v1/events: {(int)response.StatusCode} {text}");
        }

        return System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
    }

    /// <summary>Waits until the event is routed and returns its decisions as (recipient, channel, outcome, reason).</summary>
    public async Task<List<(string Recipient, string Channel, string Outcome, string? Reason)>> DecisionsAsync(Guid eventId)
    {
        var view = await Poll.UntilAsync(async () =>
        {
            var json = await ApiClient().GetFromJsonAsync<System.Text.Json.JsonElement>($"/v1/events/{eventId}");
            return json.GetProperty("status").GetString() == "routed" ? json.GetRawText() : null;
        }, $"event {eventId} to be routed");
        return System.Text.Json.JsonDocument.Parse(view).RootElement.GetProperty("decisions").EnumerateArray()
            .Select(d => (d.GetProperty("recipient").GetString()!, d.GetProperty("channel").GetString()!,
                d.GetProperty("outcome").GetString()!, d.GetProperty("reason").GetString()))
            .ToList();
    }

    private static void AddWelcome(CommsDbContext db, string tenantId, DateTimeOffset now)
    {
        const string schema = """{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}""";
        db.Templates.Add(new Template
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, Name = WelcomeEvent, Channel = Channel.Email, Locale = "en-US",
            Version = 1, Status = TemplateStatus.Published, Category = "account", VariablesSchema = schema,
            Content = new TemplateContent { Subject = "Welcome, {{ name }}", Html = "<p>Hello {{ name }}!</p>", Text = "Hello {{ name }}!" },
            CreatedAt = now, UpdatedAt = now, PublishedAt = now,
        });
        db.Templates.Add(new Template
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, Name = WelcomeEvent, Channel = Channel.InApp, Locale = "en-US",
            Version = 1, Status = TemplateStatus.Published, Category = "account", VariablesSchema = schema,
            Content = new TemplateContent { Title = "Welcome, {{ name }}!", Body = "Hello **{{ name }}**." },
            CreatedAt = now, UpdatedAt = now, PublishedAt = now,
        });
        db.RoutingRules.Add(new RoutingRule
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, EventName = WelcomeEvent, TemplateName = WelcomeEvent,
            Category = "account", Channels = [Channel.InApp, Channel.Email], CreatedAt = now, UpdatedAt = now,
        });
    }
}
