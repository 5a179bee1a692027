using Comms.Core.Events;
using Comms.Core.Messages;
using Comms.Core.Recipients;
using Npgsql;

namespace Comms.Core.Routing;

/// <summary>
/// Routes one made-up event all the way through and keeps nothing: the dispatcher's warm-up, so that the first real
/// event does not pay for the JIT and the first statements of routing. It plans a rule of an existing tenant (read
/// only: the catalog, the recipient facts, preferences, templates and rendering; never the Redis dedupe claim nor a
/// digest) for a recipient that exists only in memory, then writes those decisions and messages, with one email and
/// one in-app message of its own, in a transaction it rolls back.
/// </summary>
public sealed class RoutingRehearsal(
    EventRouter router, AudienceReader audience, TenantCatalog catalog, NpgsqlDataSource dataSource, RoutingStore store, TimeProvider time)
{
    public const string TenantId = "~warm-up";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var recipient = new Recipient
        {
            Id = Guid.CreateVersion7(), TenantId = TenantId, ExternalId = "warm-up", Email = "warm-up@example.invalid",
            QuietHoursEnabled = false, CreatedAt = now, UpdatedAt = now,
        };
        var decisions = new List<PlannedDecision>();
        if (await SampleTenantAsync(cancellationToken) is { } tenantId
            && await catalog.GetAsync(tenantId, cancellationToken) is { } snapshot
            && snapshot.Rules.Values.OrderBy(r => r.DedupeKey is null && r.DigestKey is null ? 0 : 1).FirstOrDefault() is { } rule)
        {
            var real = Event(tenantId, rule.EventName, rule.Category, now);
            recipient.TenantId = tenantId;
            try
            {
                var (input, payload) = await router.PrepareAsync(real, cancellationToken);
                using (payload)
                {
                    await audience.ByExternalIdsAsync(tenantId, ["~warm-up"], cancellationToken);
                    var facts = await RecipientFacts.LoadAsync(dataSource, tenantId, [recipient], [real.Category], cancellationToken);
                    await router.PlanAsync(input with { Facts = facts, DedupeKey = null, DigestKey = null }, [recipient], decisions);
                }
            }
            catch (RoutingException)
            {
                // The tenant's configuration cannot route it (e.g. a category since removed): the writes below still run.
            }
        }

        var ev = Event(TenantId, "warm.up", "account", now);
        foreach (var channel in new[] { Channel.Email, Channel.InApp })
        {
            var message = new PlannedMessage(
                Guid.CreateVersion7(), recipient.Id, channel, "account", "warm-up", 1, "en-US", null, ev.CauseRef, recipient.Email, now, null,
                new RenderedContent { Subject = "Warm", Text = "Warm", Html = "<p>Warm</p>", Title = "Warm", Body = "Warm", BodyHtml = "<p>Warm</p>" });
            decisions.Add(new PlannedDecision(recipient.Id, recipient.ExternalId, channel, DecisionOutcome.Queued, null, null, message, now));
        }

        await store.RehearseAsync(ev, [.. decisions.Where(d => d.Digest is null)], cancellationToken);
    }

    private static EventRecord Event(string tenantId, string name, string category, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(), TenantId = tenantId, Name = name, Category = category, CauseRef = "warm-up",
        Payload = """{"name":"Warm"}""", Recipients = ["warm-up"], DueAt = now, CreatedAt = now,
    };

    private async Task<string?> SampleTenantAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT tenant_id FROM routing_rules ORDER BY tenant_id LIMIT 1");
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }
}
