using Comms.Core.Data;
using Comms.Core.Events;
using Comms.Core.Messages;
using Comms.Core.Queueing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Comms.Core.Routing;

/// <summary>What a send-time fallback did: <see cref="Written"/> false when this claim no longer held the message (nothing written).</summary>
public sealed record FallbackResult(bool Written, string? Channel, Guid? MessageId);

/// <summary>
/// The fallback at send time: a message that failed on its channel after its last attempt is re-planned for the same
/// event and recipient on the rule's next fallback channel — the first of <see cref="RoutingRule.FallbackChannels"/>
/// after the message's own channel that is not one of the rule's primary channels (those were planned at routing
/// time) — by the same <see cref="ChannelPlanner"/> as routing (address, preferences, quiet hours, render). A blocked
/// candidate moves on to the next one. In one transaction, fenced on the claim: the failed message is dead-lettered
/// (its reason names the fallback), a <c>fallback</c> decision on its channel says why, and the candidates' decisions
/// and the new message are written. Messages without an event (digests' own, direct) and escalations have no fallback.
/// </summary>
public sealed class SendFallback(
    IDbContextFactory<CommsDbContext> contexts,
    TenantCatalog catalog,
    AudienceReader audience,
    NpgsqlDataSource dataSource,
    ChannelPlanner planner,
    EventRouter router,
    WakeUps wakeUps,
    TimeProvider time)
{
    /// <summary>
    /// Falls back if the rule has somewhere to go; null when it has not (the caller dead-letters the message as usual).
    /// <paramref name="attempt"/>, the message's last attempt, is recorded with its dead-lettering.
    /// </summary>
    public async Task<FallbackResult?> TryAsync(ClaimedMessage message, string reason, AttemptRecord? attempt, CancellationToken cancellationToken)
    {
        if (message.EventId is not { } eventId || message.EscalationOf is not null)
        {
            return null;
        }

        EventRecord? ev;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            ev = await db.Events.AsNoTracking().FirstOrDefaultAsync(e => e.Id == eventId, cancellationToken);
        }

        var rule = ev is null ? null : (await catalog.GetAsync(ev.TenantId, cancellationToken))?.RuleFor(ev.Name);
        if (ev is null || rule is null)
        {
            return null;
        }

        var candidates = Candidates(rule, message.Channel);
        if (candidates.Count == 0)
        {
            return null;
        }

        var found = await audience.ByExternalIdsAsync(ev.TenantId, [message.RecipientExternalId], cancellationToken);
        if (!found.TryGetValue(message.RecipientExternalId, out var recipient) || recipient.ErasedAt is not null)
        {
            return null;
        }

        var (prepared, payload) = await router.PrepareAsync(ev, cancellationToken);
        using var _ = payload;
        var now = time.GetUtcNow();
        var facts = await RecipientFacts.LoadAsync(dataSource, ev.TenantId, [recipient], [ev.Category], cancellationToken);
        // Dedupe and digests were applied when the event was routed; this is the same delivery on another channel.
        var input = prepared with { Facts = facts, Now = now, DedupeKey = null, DigestKey = null };

        var decisions = new List<PlannedDecision>();
        PlannedMessage? planned = null;
        foreach (var channel in candidates)
        {
            var decision = await planner.PlanAsync(input, recipient, channel, now, causeRef: message.CauseRef);
            decisions.Add(decision with
            {
                Detail = $"Fallback at send time for {message.Channel} (failed after {message.Attempts} attempts). {decision.Detail}".Trim(),
            });
            if (decision.Message is not null)
            {
                planned = decision.Message;
                break;
            }
        }

        var fellBack = planned is null
            ? $"no fallback channel could take it ({string.Join(", ", decisions.Select(d => $"{d.Channel}: {d.Reason}"))})"
            : $"fell back to {planned.Channel} (message {planned.Id})";
        decisions.Insert(0, new PlannedDecision(
            recipient.Id, recipient.ExternalId, message.Channel, DecisionOutcome.Fallback, null, $"{reason}; {fellBack}.", DueAt: now));

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await MessageQueue.MarkFailedInTransactionAsync(connection, transaction, message.Claim, $"{reason}; {fellBack}.", attempt, now, cancellationToken))
        {
            await transaction.RollbackAsync(cancellationToken);
            return new FallbackResult(false, null, null);
        }

        var inserted = await RoutingStore.WriteMessagesAsync(connection, transaction, ev.Id, ev.TenantId, decisions, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (planned is null || !inserted.Contains(planned.Id))
        {
            // Nothing new to send (every candidate was blocked, or the recipient already has that channel's message).
            return new FallbackResult(true, null, null);
        }

        await wakeUps.PublishAsync(WakeUps.MessagesFor(planned.Channel));
        return new FallbackResult(true, planned.Channel, planned.Id);
    }

    /// <summary>The rule's fallback channels after <paramref name="channel"/>, without its primary channels.</summary>
    public static IReadOnlyList<string> Candidates(RoutingRule rule, string channel)
    {
        // A primary channel goes to the rule's fallbacks from the first; a fallback channel to those after it.
        var start = rule.Channels.Contains(channel, StringComparer.Ordinal) ? 0 : Array.IndexOf(rule.FallbackChannels, channel) + 1;
        return rule.FallbackChannels.Skip(start)
            .Where(c => c != channel && !rule.Channels.Contains(c, StringComparer.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }
}
