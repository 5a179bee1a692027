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

    /// <summary>Runs the rehearsal; returns how many in-app items its inline delivery wrote (and rolled back).</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var recipient = new Recipient
        {
            Id = Guid.CreateVersion7(), TenantId = TenantId, ExternalId = "warm-up", Email = "warm-up@example.invalid",
            QuietHoursEnabled = false, CreatedAt = now, UpdatedAt = now,
        };
        var decisions = new List<PlannedDecision>();
        if (await SampleTenantAsync(cancellationToken) is ({ } tenantId, var sampleRecipient)
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
                    // A real recipient of the tenant is read (read only), so that every column's reader is warm (quiet hours' times).
                    await audience.ByExternalIdsAsync(tenantId, [sampleRecipient ?? "~warm-up"], cancellationToken);
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
        // A batch's events are routed in the order they were posted.
        _ = BatchRouter.InPostedOrder([ev, Event(TenantId, "warm.up", "account", now)]).GroupBy(e => e.TenantId).ToList();
        foreach (var channel in new[] { Channel.Email, Channel.InApp })
        {
            var message = new PlannedMessage(
                Guid.CreateVersion7(), recipient.Id, channel, "account", "warm-up", 1, "en-US", null, ev.CauseRef, recipient.Email, now, null,
                new RenderedContent { Subject = "Warm", Text = "Warm", Html = "<p>Warm</p>", Title = "Warm", Body = "Warm", BodyHtml = "<p>Warm</p>" });
            decisions.Add(new PlannedDecision(recipient.Id, recipient.ExternalId, channel, DecisionOutcome.Queued, null, null, message, now));
        }

        return await store.RehearseAsync(ev, [.. decisions.Where(d => d.Digest is null)], cancellationToken);
    }

    private static EventRecord Event(string tenantId, string name, string category, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(), TenantId = tenantId, Name = name, Category = category, CauseRef = "warm-up",
        Payload = """{"name":"Warm"}""", Recipients = ["warm-up"], DueAt = now, CreatedAt = now,
    };

    /// <summary>A tenant with a routing rule, and one of its recipients (if it has any).</summary>
    private async Task<(string? Tenant, string? Recipient)> SampleTenantAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT t.tenant_id, (SELECT r.external_id FROM recipients r WHERE r.tenant_id = t.tenant_id AND r.erased_at IS NULL LIMIT 1)
              FROM (SELECT tenant_id FROM routing_rules ORDER BY tenant_id LIMIT 1) t
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1))
            : (null, null);
    }
}
