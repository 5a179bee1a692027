using Comms.Core.Messages;
using Comms.Core.Routing;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comms.IntegrationTests.Routing;

/// <summary>
/// An event whose rule the dispatcher's cached catalog does not have yet (the change notification lost or late, the
/// version check not due) is routed with the configuration read again, never failed for good on the stale copy.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class StaleCatalogRoutingTests(CommsFixture fixture)
{
    [Fact]
    public async Task An_event_for_a_rule_the_dispatchers_cached_catalog_lacks_is_routed_not_failed()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        await tenant.AddRecipientAsync("ann");
        await tenant.AddTemplateAsync("fresh.rule", Channel.InApp, new TemplateContent { Title = "Fresh", Body = "Routed." });

        // The dispatcher caches the tenant's catalog now, without the rule…
        var cached = await fixture.Dispatcher.Services.GetRequiredService<TenantCatalog>().GetAsync(tenant.Id, CancellationToken.None);
        Assert.Null(cached!.RuleFor("fresh.rule"));

        // …then the rule is written where the dispatcher hears nothing of it (as if its notification were lost), and
        // only the API that wrote it drops its own copy, as a writer does.
        await using (var db = fixture.CreateDbContext())
        {
            var now = DateTimeOffset.UtcNow;
            db.RoutingRules.Add(new RoutingRule
            {
                Id = Guid.CreateVersion7(), TenantId = tenant.Id, EventName = "fresh.rule", TemplateName = "fresh.rule",
                Category = "account", Channels = [Channel.InApp], CreatedAt = now, UpdatedAt = now,
            });
            await db.SaveChangesAsync();
        }

        fixture.Api.Services.GetRequiredService<TenantCatalog>().Invalidate(tenant.Id);

        var eventId = await tenant.PostEventAsync(new { name = "fresh.rule", recipients = new[] { "ann" }, causeRef = "fresh:1", payload = new { } });

        var decisions = await tenant.DecisionsAsync(eventId);
        Assert.Equal([("ann", Channel.InApp, "queued", (string?)null)], decisions);
    }
}
