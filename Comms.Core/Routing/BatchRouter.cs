using System.Diagnostics;
using System.Text.Json;
using Comms.Core.Events;
using Npgsql;

namespace Comms.Core.Routing;

/// <summary>
/// Routes the small events of a claimed batch together — those that name their recipients and have
/// no digest — so a batch costs one recipient query and one facts query per tenant and a single write
/// transaction, instead of a few round trips and a commit per event. The decisions are exactly those
/// <see cref="EventRouter"/> makes; everything else (audiences, digests, resumed events, events whose
/// tenant or rule is gone, and the whole batch if a lease was lost) is left to be routed one by one.
/// </summary>
/// <summary>What a batch left to be routed one by one, and the in-app items it delivered in its transaction (to push).</summary>
public sealed record BatchRouting(IReadOnlyList<EventRecord> Rest, Inbox.InboxDelivery? Delivered);

public sealed class BatchRouter(
    EventRouter router,
    TenantCatalog catalog,
    AudienceReader audience,
    NpgsqlDataSource dataSource,
    RoutingStore store,
    TimeProvider time)
{
    /// <summary>Routes what it can; returns the events left for <see cref="EventRouter.RouteAsync"/>.</summary>
    public async Task<IReadOnlyList<EventRecord>> RouteAsync(IReadOnlyList<EventRecord> events, CancellationToken cancellationToken) =>
        (await RouteAsync(events, inlineInApp: null, cancellationToken)).Rest;

    /// <summary>
    /// Routes what it can; returns the events left for <see cref="EventRouter.RouteAsync"/> and the in-app items delivered
    /// in the routing transaction — for the tenants <paramref name="inlineInApp"/> allows (<see cref="RoutingStore.WriteManyAsync"/>).
    /// </summary>
    public async Task<BatchRouting> RouteAsync(
        IReadOnlyList<EventRecord> events, Func<TenantSnapshot, bool>? inlineInApp, CancellationToken cancellationToken) =>
        await RouteAsync(events, null, inlineInApp, cancellationToken);

    /// <summary>
    /// As <see cref="RouteAsync(IReadOnlyList{EventRecord}, Func{TenantSnapshot, bool}?, CancellationToken)"/> for events
    /// claimed by their row locks: what it routes is written and committed in <paramref name="locked"/>'s transaction.
    /// </summary>
    public Task<BatchRouting> RouteLockedAsync(LockedEvents locked, Func<TenantSnapshot, bool>? inlineInApp, CancellationToken cancellationToken) =>
        RouteAsync(locked.Events, locked, inlineInApp, cancellationToken);

    private async Task<BatchRouting> RouteAsync(
        IReadOnlyList<EventRecord> events, LockedEvents? locked, Func<TenantSnapshot, bool>? inlineInApp, CancellationToken cancellationToken)
    {
        var rest = new List<EventRecord>();
        var inlineTenants = new HashSet<string>(StringComparer.Ordinal);
        var plans = new List<(EventRecord Event, IReadOnlyList<PlannedDecision> Decisions)>();
        var disposables = new List<IDisposable>();
        try
        {
            // In the order they were posted, so that the earlier of two events with one dedupe key is the one sent.
            foreach (var tenant in InPostedOrder(events).GroupBy(e => e.TenantId))
            {
                var prepared = await PrepareAsync(tenant.ToList(), rest, disposables, cancellationToken);
                if (inlineInApp is not null && prepared.Count > 0 && inlineInApp(prepared[0].Snapshot))
                {
                    inlineTenants.Add(tenant.Key);
                }

                if (prepared.Count > 0)
                {
                    await PlanAsync(tenant.Key, prepared, plans, cancellationToken);
                }
            }

            if (plans.Count == 0)
            {
                return new BatchRouting(rest, null);
            }

            RoutedBatch written;
            try
            {
                Func<EventRecord, bool>? inline = inlineTenants.Count == 0 ? null : e => inlineTenants.Contains(e.TenantId);
                written = locked is null
                    ? await store.WriteManyAsync(plans, inline, cancellationToken)
                    : await store.WriteLockedAsync(locked, plans, inline, cancellationToken);
            }
            catch (LeaseLostException)
            {
                // Nothing was written; routed one by one, each event meets its own fate.
                rest.AddRange(plans.Select(p => p.Event));
                return new BatchRouting(rest, null);
            }

            var recorded = written.Recorded;
            var delivered = written.Delivered?.Items.Select(i => i.Message.Id).ToHashSet();

            var woken = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < plans.Count; i++)
            {
                await router.AnnounceAsync(plans[i].Event, recorded[i], woken, delivered);
            }

            return new BatchRouting(rest, written.Delivered);
        }
        finally
        {
            foreach (var disposable in disposables)
            {
                disposable.Dispose();
            }
        }
    }

    /// <summary>Events in the order they were posted (due time, then stored time, then id).</summary>
    internal static IOrderedEnumerable<EventRecord> InPostedOrder(IEnumerable<EventRecord> events) =>
        events.OrderBy(e => e.DueAt).ThenBy(e => e.CreatedAt).ThenBy(e => e.Id);

    private async Task<List<RoutingInput>> PrepareAsync(
        List<EventRecord> events, List<EventRecord> rest, List<IDisposable> disposables, CancellationToken cancellationToken)
    {
        var snapshot = await catalog.GetAsync(events[0].TenantId, cancellationToken);
        var prepared = new List<RoutingInput>();
        foreach (var ev in events)
        {
            var rule = snapshot?.RuleFor(ev.Name);
            if (snapshot is null || rule is null || snapshot.Category(ev.Category) is null
                || ev.Recipients is null || ev.RoutingCursor is not null || rule.DigestWindowSeconds is > 0)
            {
                rest.Add(ev);
                continue;
            }

            if (EventRouter.StartActivity(ev) is { } activity)
            {
                disposables.Add(activity);
            }

            var (input, payload) = await router.PrepareAsync(ev, cancellationToken);
            disposables.Add(payload);
            prepared.Add(input);
        }

        return prepared;
    }

    private async Task PlanAsync(
        string tenantId, List<RoutingInput> prepared, List<(EventRecord, IReadOnlyList<PlannedDecision>)> plans, CancellationToken cancellationToken)
    {
        var externalIds = prepared.SelectMany(p => p.Event.Recipients!).Distinct(StringComparer.Ordinal).ToList();
        var found = await audience.ByExternalIdsAsync(tenantId, externalIds, cancellationToken);
        var categories = prepared.Select(p => p.Event.Category).Distinct(StringComparer.Ordinal).ToList();
        var facts = await RecipientFacts.LoadAsync(dataSource, tenantId, found.Values.Where(r => r.ErasedAt is null).ToList(), categories, cancellationToken);
        foreach (var input in prepared)
        {
            var ev = input.Event;
            var decisions = EventRouter.UnknownRecipients(ev, found).ToList();
            var recipients = EventRouter.Routable(ev, found);
            await router.PlanAsync(input with { Facts = facts, Now = time.GetUtcNow() }, recipients, decisions);
            plans.Add((ev, decisions));
        }
    }
}
