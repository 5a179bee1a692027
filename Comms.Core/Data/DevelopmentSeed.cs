using Comms.Core.Auth;
using Comms.Core.Messages;
using Comms.Core.Recipients;
using Comms.Core.Routing;
using Comms.Core.Templates;
using Comms.Core.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Data;

/// <summary>
/// The development seed applied by the app host: tenant <c>demo</c>, users alice and bob, an API key
/// (from <c>Comms:Seed:ApiKey</c>), the user-token signing key <c>demo-dev</c> (HS256, secret from
/// <c>Comms:Seed:UserTokenSigningKey</c>), and the <c>demo.welcome</c> event routed to in-app and email.
/// Safe to apply again: it only adds what is missing.
/// </summary>
public static class DevelopmentSeed
{
    public const string TenantId = "demo";
    public const string DefaultApiKey = "demo-api-key";
    public const string WelcomeEvent = "demo.welcome";
    public const string SigningKeyId = "demo-dev";

    /// <summary>Seeds the demo tenant; <paramref name="userTokenSecret"/> (at least 32 characters) becomes key <see cref="SigningKeyId"/>.</summary>
    public static async Task ApplyAsync(CommsDbContext db, string apiKey, string userTokenSecret, SigningSecretProtector protector, TimeProvider time,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(userTokenSecret.Length, 32, nameof(userTokenSecret));
        var now = time.GetUtcNow();
        if (!await db.Tenants.AnyAsync(t => t.Id == TenantId, cancellationToken))
        {
            db.Tenants.Add(new Tenant { Id = TenantId, Name = "Demo", CreatedAt = now });
        }

        await AddRecipientAsync(db, "alice", "Alice", "alice@example.test", now, cancellationToken);
        await AddRecipientAsync(db, "bob", "Bob", "bob@example.test", now, cancellationToken);

        var hash = ApiKeySecrets.Hash(apiKey);
        if (!await db.ApiKeys.AnyAsync(k => k.KeyHash == hash, cancellationToken))
        {
            db.ApiKeys.Add(new ApiKey
            {
                Id = Guid.CreateVersion7(), TenantId = TenantId, Name = "Development seed key",
                Prefix = ApiKeySecrets.PrefixOf(apiKey), KeyHash = hash,
                Roles = [ApiKeyRoles.Admin, ApiKeyRoles.Editor], CreatedAt = now,
            });
        }

        if (!await db.SigningKeys.AnyAsync(k => k.TenantId == TenantId && k.Kid == SigningKeyId, cancellationToken))
        {
            db.SigningKeys.Add(new SigningKey
            {
                Id = Guid.CreateVersion7(), TenantId = TenantId, Kid = SigningKeyId, Algorithm = SigningAlgorithms.Hs256,
                ProtectedSecret = protector.Protect(TenantId, SigningKeyId, userTokenSecret), CreatedAt = now,
            });
        }

        await AddWelcomeTemplatesAsync(db, now, cancellationToken);
        if (!await db.RoutingRules.AnyAsync(r => r.TenantId == TenantId && r.EventName == WelcomeEvent, cancellationToken))
        {
            db.RoutingRules.Add(new RoutingRule
            {
                Id = Guid.CreateVersion7(), TenantId = TenantId, EventName = WelcomeEvent, TemplateName = WelcomeEvent,
                Category = "account", Channels = [Channel.InApp, Channel.Email], CreatedAt = now, UpdatedAt = now,
            });
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private static async Task AddRecipientAsync(CommsDbContext db, string externalId, string name, string email, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await db.Recipients.AnyAsync(r => r.TenantId == TenantId && r.ExternalId == externalId, cancellationToken))
        {
            return;
        }

        db.Recipients.Add(new Recipient
        {
            Id = Guid.CreateVersion7(), TenantId = TenantId, ExternalId = externalId, Name = name, Email = email,
            Locale = "en-US", TimeZone = "UTC", Roles = ["member"],
            // The demo users have quiet hours off, so "Try it" delivers at any hour of the day.
            QuietHoursEnabled = false,
            CreatedAt = now, UpdatedAt = now,
        });
    }

    private static async Task AddWelcomeTemplatesAsync(CommsDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string schema = """{"type":"object","required":["name"],"properties":{"name":{"type":"string","minLength":1}}}""";
        var contents = new Dictionary<string, TemplateContent>
        {
            [Channel.Email] = new()
            {
                Subject = "Welcome to Comms, {{ name }}!",
                Html = "<p>Hello {{ name }},</p><p>welcome aboard. Your notifications will reach you here.</p>",
                Text = "Hello {{ name }},\n\nwelcome aboard. Your notifications will reach you here.",
            },
            [Channel.InApp] = new()
            {
                Title = "Welcome, {{ name }}!",
                Body = "Hello **{{ name }}**, your account is ready.",
            },
        };

        foreach (var (channel, content) in contents)
        {
            if (await db.Templates.AnyAsync(t => t.TenantId == TenantId && t.Name == WelcomeEvent && t.Channel == channel, cancellationToken))
            {
                continue;
            }

            db.Templates.Add(new Template
            {
                Id = Guid.CreateVersion7(), TenantId = TenantId, Name = WelcomeEvent, Channel = channel, Locale = "en-US",
                Version = 1, Status = TemplateStatus.Published, Category = "account", Content = content,
                VariablesSchema = schema, CreatedBy = "seed", CreatedAt = now, UpdatedAt = now, PublishedAt = now,
            });
        }
    }
}
