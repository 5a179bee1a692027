using Comms.Core.Messages;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Routing;

/// <summary>Locale fallback and experiment arms at send time, and the immutable copy of each render.</summary>
[Collection(CommsCollection.Name)]
public sealed class ExperimentAndLocaleTests(CommsFixture fixture)
{
    [Fact]
    public async Task The_locale_chain_picks_user_then_accept_language_then_tenant_default_then_en_US()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        await tenant.AddTemplateAsync("hello", Channel.InApp, new() { Title = "Hello" }, "en-US");
        await tenant.AddTemplateAsync("hello", Channel.InApp, new() { Title = "Hallo" }, "de");
        await tenant.AddTemplateAsync("hello", Channel.InApp, new() { Title = "Bonjour" }, "fr-FR");
        await tenant.SetRuleAsync("hello", new { templateName = "hello", category = "account", channels = new[] { "in_app" } });
        await tenant.AddRecipientAsync("austrian", r => r.Locale = "de-AT");
        await tenant.AddRecipientAsync("nobody", r => r.Locale = null);
        await tenant.AddRecipientAsync("finn", r => r.Locale = "fi");

        var client = tenant.ApiClient();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("fr-FR;q=0.9, es;q=0.5");
        var id = await tenant.PostEventAsync(new { name = "hello", recipients = new[] { "austrian", "nobody", "finn" }, causeRef = "h:1" }, client);
        await tenant.DecisionsAsync(id);

        await using var db = fixture.CreateDbContext();
        var titles = await (from m in db.Messages
                            join r in db.Recipients on m.RecipientId equals r.Id
                            join render in db.MessageRenders on m.Id equals render.MessageId
                            where m.EventId == id
                            select new { r.ExternalId, m.Locale, render.Content }).ToListAsync();
        Assert.Equal([("austrian", "de", "Hallo"), ("finn", "fr-FR", "Bonjour"), ("nobody", "fr-FR", "Bonjour")],
            titles.Select(t => (t.ExternalId, t.Locale!, t.Content.Title!)).Order().ToList());

        // Without Accept-Language, a user whose locale has no template gets the tenant's default, then en-US.
        await db.Tenants.Where(t => t.Id == tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.DefaultLocale, "de-CH"));
        await fixture.CatalogChangedAsync(tenant.Id);
        var withDefault = await tenant.PostEventAsync(new { name = "hello", recipients = new[] { "finn" }, causeRef = "h:2" });
        await tenant.DecisionsAsync(withDefault);
        await db.Tenants.Where(t => t.Id == tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.DefaultLocale, "sv"));
        await fixture.CatalogChangedAsync(tenant.Id);
        var withFallback = await tenant.PostEventAsync(new { name = "hello", recipients = new[] { "finn" }, causeRef = "h:3" });
        await tenant.DecisionsAsync(withFallback);
        var locales = await db.Messages.AsNoTracking().Where(m => m.EventId == withDefault || m.EventId == withFallback)
            .ToDictionaryAsync(m => m.EventId!.Value, m => m.Locale);
        Assert.Equal("de", locales[withDefault]);
        Assert.Equal("en-US", locales[withFallback]);
    }

    [Fact]
    public async Task Experiment_arms_are_stable_per_user_and_renders_are_immutable()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        await tenant.AddTemplateAsync("promo", Channel.InApp, new() { Title = "Control" }, variants:
        [
            new TemplateVariant { Key = "a", Weight = 50, Content = new() { Title = "Arm A" } },
            new TemplateVariant { Key = "b", Weight = 50, Content = new() { Title = "Arm B" } },
        ]);
        await tenant.SetRuleAsync("promo", new { templateName = "promo", category = "promotions", channels = new[] { "in_app" } });
        var users = Enumerable.Range(0, 20).Select(i => $"user{i}").ToArray();
        foreach (var user in users)
        {
            await tenant.AddRecipientAsync(user);
        }

        var first = await tenant.PostEventAsync(new { name = "promo", recipients = users, causeRef = "p:1" });
        var second = await tenant.PostEventAsync(new { name = "promo", recipients = users, causeRef = "p:2" });
        await tenant.DecisionsAsync(first);
        await tenant.DecisionsAsync(second);

        await using var db = fixture.CreateDbContext();
        var arms = await db.Messages.AsNoTracking().Where(m => m.TenantId == tenant.Id)
            .Select(m => new { m.RecipientId, m.EventId, m.Variant }).ToListAsync();
        Assert.All(arms.GroupBy(a => a.RecipientId), g => Assert.Single(g.Select(a => a.Variant).Distinct()));
        Assert.Equal(["a", "b"], arms.Select(a => a.Variant!).Distinct().Order());
        var render = await db.MessageRenders.AsNoTracking().FirstAsync(r => r.TenantId == tenant.Id);
        Assert.StartsWith("Arm ", render.Content.Title, StringComparison.Ordinal);

        var tamper = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            db.Database.ExecuteSqlRawAsync("UPDATE message_renders SET created_at = now() WHERE message_id = {0}", render.MessageId));
        Assert.Contains("immutable", tamper.MessageText, StringComparison.Ordinal);
    }
}
