using System.Net.Http.Headers;
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

    private TestTenant(CommsFixture fixture, string id, string apiKey)
    {
        _fixture = fixture;
        Id = id;
        ApiKey = apiKey;
    }

    public string Id { get; }

    public string ApiKey { get; }

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
        var tenant = new TestTenant(fixture, id, key);
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
