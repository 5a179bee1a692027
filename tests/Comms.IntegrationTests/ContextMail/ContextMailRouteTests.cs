using System.Text.Json;
using Comms.Core.ContextMail;
using Comms.Core.Messages;
using Comms.Core.Routing;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Push;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.ContextMail;

/// <summary>
/// A new in-context mail goes out through the pipeline as a push by default (SPEC S8), for a tenant that never set up a
/// rule or a template for it: the push says which context and the fresh unread count, never the words or the sender.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ContextMailRouteTests(CommsFixture fixture)
{
    [Fact]
    public async Task Without_a_rule_of_its_own_a_tenant_sends_new_mail_as_a_push_only()
    {
        var tenant = await TestTenant.CreateAsync(fixture, GameContext.Owner, "alice", "bob");
        await PushWorld.AddDeviceAsync(tenant, "bob", "expo", "ExponentPushToken[bob-phone]");
        var game = await GameContext.CreateAsync(tenant, "game-default", "alice", "bob");

        await game.SentAsync("alice", new { to = "bob", subject = "Secret plan", body = "Attack at dawn." });
        await game.SentAsync("alice", new { to = "bob", subject = "Second thought", body = "Make it dusk." });

        // The suite's shared dispatcher has no push provider, so each push is decided and recorded as COMMS_NO_PROVIDER
        // (with a provider it is sent: PushRoutingTests); what matters here is that push, and only push, was planned.
        var decisions = await Poll.UntilAsync(async () =>
        {
            await using var db = fixture.CreateDbContext();
            var found = await db.Decisions.AsNoTracking().Where(d => d.TenantId == tenant.Id).ToListAsync();
            return found.Count >= 2 ? found : null;
        }, "bob's two mail pushes to be routed");

        Assert.All(decisions, d => Assert.Equal(("bob", Channel.Push, ReasonCodes.NoProvider), (d.RecipientExternalId, d.Channel, d.Reason)));
        await using var check = fixture.CreateDbContext();
        var eventIds = decisions.Select(d => d.EventId).ToList();
        var events = await check.Events.AsNoTracking().Where(e => eventIds.Contains(e.Id)).ToListAsync();
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal(ContextMailRoute.EventName, e.Name));
        Assert.Equal([1, 2], events.Select(e => JsonDocument.Parse(e.Payload).RootElement.GetProperty("unread_count").GetInt32()).Order());
        Assert.All(events, e =>
        {
            // No payload carries the words or the sender: they would reach lock screens and outlive the sender's erasure.
            Assert.DoesNotContain("Secret", e.Payload);
            Assert.DoesNotContain("dawn", e.Payload);
            Assert.DoesNotContain("alice", e.Payload, StringComparison.OrdinalIgnoreCase);
            Assert.Equal("Galaxy game-default", JsonDocument.Parse(e.Payload).RootElement.GetProperty("context_name").GetString());
        });
    }
}
