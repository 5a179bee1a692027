using System.Text.Json;
using Comms.Core.Diagnostics;
using Comms.Core.Events;
using Comms.Core.Messages;
using Comms.Core.Queueing;
using Comms.Core.Recipients;
using Comms.Core.Templates;
using Fluid;
using Npgsql;

namespace Comms.Core.Routing;

/// <summary>
/// Turns a claimed event into decisions and messages: resolves the audience chunk by chunk, and for
/// each recipient × channel of the tenant's routing rule asks the <see cref="ChannelPlanner"/>; blocked
/// channels fall back to the rule's fallback channels; an in-app message can schedule an escalation.
/// Each chunk is written by <see cref="RoutingStore"/> in one transaction with the resume cursor.
/// </summary>
public sealed partial class EventRouter(
    TenantCatalog catalog,
    AudienceReader audience,
    NpgsqlDataSource dataSource,
    ChannelPlanner planner,
    LiquidRenderer liquid,
    RoutingStore store,
    EventQueue queue,
    WakeUps wakeUps,
    TimeProvider time)
{
    public const int ChunkSize = 1000;

    /// <summary>Blocks that mean "this channel cannot reach the user", after which a fallback channel is tried.</summary>
    private static readonly HashSet<string> FallbackReasons =
        [ReasonCodes.PrefBlocked, ReasonCodes.NoAddress, ReasonCodes.NoTemplate, ReasonCodes.Suppressed, ReasonCodes.NoProvider,
         ReasonCodes.SmsNotAllowed];

    /// <summary>Routes the event and marks it routed; returns the number of decisions recorded.</summary>
    public async Task<int> RouteAsync(EventRecord ev, CancellationToken cancellationToken)
    {
        using var activity = StartActivity(ev);
        var (input, payload) = await PrepareAsync(ev, cancellationToken);
        using var _ = payload;

        if (ev.Recipients is { } externalIds)
        {
            var found = await audience.ByExternalIdsAsync(ev.TenantId, externalIds, cancellationToken);
            return await RouteChunkAsync(input, Routable(ev, found), [.. UnknownRecipients(ev, found)], cursor: null, last: true, cancellationToken);
        }

        var selector = AudienceSelector.FromJson(ev.Audience) ?? throw new RoutingException("The event has neither recipients nor a valid audience.");
        return await RouteAudienceAsync(input, selector, cancellationToken);
    }

    /// <summary>What routing the event needs from the tenant's configuration; the caller disposes the payload document.</summary>
    internal async Task<(RoutingInput Input, JsonDocument Payload)> PrepareAsync(EventRecord ev, CancellationToken cancellationToken)
    {
        var snapshot = await catalog.GetAsync(ev.TenantId, cancellationToken);
        if (snapshot?.RuleFor(ev.Name) is null || snapshot.Category(ev.Category) is null)
        {
            // The API admitted the event against a rule and category it saw, so a cached snapshot that lacks them is
            // older than the event (its change notification not here yet, the version check not due): read it again
            // before giving the event up, rather than fail it for good on stale configuration.
            catalog.Invalidate(ev.TenantId);
            snapshot = await catalog.GetAsync(ev.TenantId, cancellationToken);
        }

        if (snapshot is null)
        {
            throw new RoutingException($"Tenant '{ev.TenantId}' does not exist.");
        }

        var rule = snapshot.RuleFor(ev.Name) ?? throw new RoutingException($"No routing rule for event '{ev.Name}'.");
        var category = snapshot.Category(ev.Category) ?? throw new RoutingException($"Unknown category '{ev.Category}'.");
        var payload = JsonDocument.Parse(ev.Payload);
        var dedupeKey = await RenderKeyAsync(rule.DedupeKey, payload.RootElement);
        var digestKey = rule.DigestWindowSeconds is > 0 ? await RenderKeyAsync(rule.DigestKey, payload.RootElement) : null;
        var threadKey = await RenderKeyAsync(rule.ThreadKey, payload.RootElement) is { Length: > 0 } thread ? thread.ReplaceLineEndings(" ") : null;
        return (new RoutingInput(ev, rule, snapshot, category, RecipientFacts.Empty, payload.RootElement, dedupeKey, digestKey, time.GetUtcNow(), threadKey), payload);
    }

    /// <summary>Decides every recipient × channel of the rule for these recipients (with fallbacks and escalation).</summary>
    internal async Task PlanAsync(RoutingInput input, IReadOnlyList<Recipient> recipients, List<PlannedDecision> decisions)
    {
        var ev = input.Event;
        var dueAt = (ev.DueAt > input.Now ? ev.DueAt : input.Now) + TimeSpan.FromSeconds(input.Rule.DelaySeconds);
        foreach (var recipient in recipients)
        {
            await PlanRecipientAsync(input, recipient, dueAt, decisions);
        }
    }

    /// <summary>The named recipients that can be routed to: found, and not erased.</summary>
    internal static List<Recipient> Routable(EventRecord ev, IReadOnlyDictionary<string, Recipient> found) =>
        [.. ev.Recipients!.Where(id => found.TryGetValue(id, out var r) && r.ErasedAt is null).Select(id => found[id])];

    /// <summary>The named recipients that cannot be: unknown ones, and erased ones (SPEC S11; recorded under their tombstone).</summary>
    internal static IEnumerable<PlannedDecision> UnknownRecipients(EventRecord ev, IReadOnlyDictionary<string, Recipient> found) =>
        (ev.Recipients ?? []).Select(id => found.TryGetValue(id, out var recipient)
            ? recipient.ErasedAt is null
                ? null
                : new PlannedDecision(recipient.Id, recipient.ExternalId, "*", DecisionOutcome.Blocked, ReasonCodes.RecipientErased,
                    "The recipient was erased; nothing is sent to them.")
            : new PlannedDecision(
                null, id, "*", DecisionOutcome.Blocked, ReasonCodes.UnknownRecipient, $"No recipient '{id}' exists in tenant '{ev.TenantId}'."))
        .OfType<PlannedDecision>();

    internal static System.Diagnostics.Activity? StartActivity(EventRecord ev)
    {
        var activity = CommsTelemetry.StartActivity("route " + ev.Name, ev.TraceParent);
        activity?.SetTag("comms.event.id", ev.Id);
        activity?.SetTag("comms.event.name", ev.Name);
        activity?.SetTag("comms.tenant", ev.TenantId);
        return activity;
    }

    /// <summary>After a write: metrics, and wake-ups for the senders (and the digest flusher).</summary>
    internal async Task AnnounceAsync(
        EventRecord ev, IReadOnlyList<PlannedDecision> recorded, HashSet<string>? alreadyWoken = null, IReadOnlySet<Guid>? deliveredInline = null)
    {
        foreach (var decision in recorded)
        {
            CommsTelemetry.Decisions.Add(1, new("channel", decision.Channel), new("outcome", decision.Outcome), new("reason", decision.Reason));
        }

        CommsTelemetry.EventToQueued.Record((time.GetUtcNow() - ev.CreatedAt).TotalMilliseconds);
        // A message delivered in the routing transaction (in-app, inline) is sent already: no sender needs waking for it.
        var topics = recorded.Where(d => d.Message is not null && deliveredInline?.Contains(d.Message.Id) != true).Select(d => WakeUps.MessagesFor(d.Channel))
            .Concat(recorded.Any(d => d.Digest is not null) ? [WakeUps.Digests] : []);
        foreach (var topic in topics.Distinct())
        {
            if (alreadyWoken?.Add(topic) != false)
            {
                await wakeUps.PublishAsync(topic);
            }
        }
    }

    private async Task<int> RouteChunkAsync(
        RoutingInput input, IReadOnlyList<Recipient> recipients, List<PlannedDecision> decisions, Guid? cursor,
        bool last, CancellationToken cancellationToken)
    {
        var ev = input.Event;
        var facts = await RecipientFacts.LoadAsync(dataSource, ev.TenantId, recipients, [ev.Category], cancellationToken);
        await PlanAsync(input with { Facts = facts, Now = time.GetUtcNow() }, recipients, decisions);
        var recorded = await store.WriteAsync(ev, decisions, ev.RoutingCursor, cursor, last, predecessor: null, cancellationToken);
        await AnnounceAsync(ev, recorded);
        return recorded.Count;
    }

    private async Task PlanRecipientAsync(RoutingInput input, Recipient recipient, DateTimeOffset dueAt, List<PlannedDecision> decisions)
    {
        var rule = input.Rule;
        var tried = new HashSet<string>(rule.Channels, StringComparer.Ordinal);
        PlannedMessage? inApp = null;
        foreach (var channel in rule.Channels)
        {
            var decision = await planner.PlanAsync(input, recipient, channel, dueAt);
            decisions.Add(decision);
            if (channel == Channel.InApp && decision.Message is not null)
            {
                inApp = decision.Message;
            }

            if (decision.Outcome != DecisionOutcome.Blocked || !FallbackReasons.Contains(decision.Reason!))
            {
                continue;
            }

            foreach (var fallback in rule.FallbackChannels.Where(tried.Add))
            {
                var alternative = await planner.PlanAsync(input, recipient, fallback, dueAt);
                decisions.Add(alternative with { Detail = $"Fallback for {channel} ({decision.Reason}). {alternative.Detail}".Trim() });
                if (alternative.Message is not null || alternative.Digest is not null)
                {
                    break;
                }
            }
        }

        if (rule is { EscalationAfterMinutes: { } minutes, EscalationChannel: { } escalationChannel } && inApp is not null)
        {
            var escalation = await planner.PlanAsync(input, recipient, escalationChannel, inApp.DueAt + TimeSpan.FromMinutes(minutes),
                escalationOf: inApp.Id, causeRef: input.Event.CauseRef + "#escalation");
            decisions.Add(escalation.Message is null
                ? escalation
                : escalation with
                {
                    Outcome = DecisionOutcome.Escalation,
                    Detail = $"Sent on {escalationChannel} at {escalation.Message.DueAt:O} unless the in-app item is read by then. {escalation.Detail}".Trim(),
                });
        }
    }

    private async Task<string?> RenderKeyAsync(string? template, JsonElement payload) =>
        string.IsNullOrWhiteSpace(template) ? null : (await liquid.RenderAsync(template, payload, NullEncoder.Default)).Trim();
}

/// <summary>An event that cannot be routed at all (no tenant, no rule).</summary>
public sealed class RoutingException(string message) : Exception(message);
