using Comms.Core.Data;
using Comms.Core.Routing;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Comms.IntegrationTests.Isolation;

/// <summary>
/// Cached routing configuration does not trust pub/sub alone: a change whose <c>catalog-changed</c> notification
/// never arrives is still seen within the catalog version check interval, and the cache is bounded.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class CatalogFreshnessTests(CommsFixture fixture)
{
    [Fact]
    public async Task A_rule_changed_without_any_notification_routes_the_next_events_within_the_check_interval()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "cal");
        await tenant.SetRuleAsync("fresh.rule", new { templateName = TestTenant.WelcomeEvent, category = "account", channels = new[] { "in_app" } });
        // Routed once, so the API and the dispatchers hold the tenant's catalog in their caches.
        var warm = await tenant.PostEventAsync(new { name = "fresh.rule", recipients = new[] { "cal" }, causeRef = "fresh:0", payload = new { name = "Cal" } });
        Assert.Equal(["in_app"], (await tenant.DecisionsAsync(warm)).Select(d => d.Channel));

        // The change goes straight to the database: no process is told (as when Redis is down at that moment).
        await using (var db = fixture.CreateDbContext())
        {
            var rule = await db.RoutingRules.SingleAsync(r => r.TenantId == tenant.Id && r.EventName == "fresh.rule");
            rule.Channels = ["email"];
            await db.SaveChangesAsync();
        }

        // Within the version check interval (2 s) plus routing time, events route with the new rule.
        var n = 0;
        await Poll.UntilAsync(async () =>
        {
            var id = await tenant.PostEventAsync(new { name = "fresh.rule", recipients = new[] { "cal" }, causeRef = $"fresh:{++n}", payload = new { name = "Cal" } });
            return (await tenant.DecisionsAsync(id)).Select(d => d.Channel).SequenceEqual(["email"]);
        }, "an event routed with the changed rule", TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task The_catalog_cache_holds_at_most_its_configured_number_of_tenants()
    {
        var tenants = new List<TestTenant>();
        for (var i = 0; i < 6; i++)
        {
            tenants.Add(await TestTenant.CreateAsync(fixture));
        }

        var contexts = fixture.Api.Services.GetRequiredService<IDbContextFactory<CommsDbContext>>();
        using var catalog = new TenantCatalog(contexts, Options.Create(new CatalogOptions { CacheSize = 2 }), TimeProvider.System);
        foreach (var tenant in tenants)
        {
            Assert.NotNull(await catalog.GetAsync(tenant.Id, CancellationToken.None));
            Assert.InRange(catalog.CachedTenants, 0, 2);
        }

        // Whatever was evicted is loaded again on demand.
        Assert.Equal(tenants[0].Id, (await catalog.GetAsync(tenants[0].Id, CancellationToken.None))!.Tenant.Id);
    }
}
