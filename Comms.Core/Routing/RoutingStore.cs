using Comms.Core.Digests;
using Comms.Core.Events;
using Comms.Core.Inbox;
using Comms.Core.Messages;
using Npgsql;

namespace Comms.Core.Routing;

/// <summary>
/// Writes routed work in one transaction: the messages (a repeat of the same idempotency key is
/// skipped by the unique index and recorded as <c>COMMS_DUPLICATE</c>), their renders, every decision,
/// and the event's routing cursor or routed state — fenced on the claim token, so a dispatcher that lost its
/// lease writes nothing. The statements travel as one batch: a write costs two round trips (the batch
/// and the commit), whether it holds one event's chunk or many small events.
/// </summary>
public sealed class RoutingStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>
    /// Writes one chunk of one event and moves its cursor from <paramref name="previous"/> to <paramref name="cursor"/> (or
    /// marks it routed when <paramref name="last"/>); returns the decisions as recorded (duplicates rewritten). With a
    /// <paramref name="predecessor"/> (the write of the chunk before), the rows are written at once, alongside it, but the
    /// cursor is moved and the transaction committed only after it succeeded: chunks commit in order, and if the
    /// predecessor fails this write is rolled back with it (its exception rethrown). Throws <see cref="LeaseLostException"/>.
    /// </summary>
    public async Task<IReadOnlyList<PlannedDecision>> WriteAsync(
        EventRecord ev, IReadOnlyList<PlannedDecision> decisions, Guid? previous, Guid? cursor, bool last, Task? predecessor,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var digests = decisions.Where(d => d.Digest is not null).Select(d => d.Digest!).ToList();
        if (digests.Count > 0)
        {
            await DigestWriter.AttachAsync(connection, transaction, ev.TenantId, ev.Id, ev.Name, ev.Category, ev.Payload, digests, now, cancellationToken);
        }

        var advance = EventQueue.AdvanceCommand(ev.Claim, previous, cursor, last, now);
        // Without a predecessor the cursor moves in the same round trip as the rows.
        var inserted = await ExecuteAsync(connection, transaction, [(Owner(ev), decisions)], predecessor is null ? advance : null, now, cancellationToken);
        if (predecessor is not null)
        {
            await predecessor;
            await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { advance } };
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        if (advance.RecordsAffected != 1)
        {
            await transaction.RollbackAsync(cancellationToken);
            throw new LeaseLostException(ev.Id);
        }

        await transaction.CommitAsync(cancellationToken);
        return Recorded(decisions, inserted);
    }

    /// <summary>
    /// Writes one event's decisions and messages as <see cref="WriteAsync"/> does, then as a locked batch with its in-app
    /// message delivered inline, and rolls it all back (the warm-up); returns how many inbox items that batch wrote.
    /// </summary>
    public async Task<int> RehearseAsync(EventRecord ev, IReadOnlyList<PlannedDecision> decisions, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Both shapes: one event's chunk (WriteAsync), then a batch of whole events (WriteManyAsync) with fresh message ids.
        await ExecuteAsync(connection, transaction, [(Owner(ev), decisions)], EventQueue.AdvanceCommand(ev.Claim, null, null, true, now), now, cancellationToken);
        var again = decisions.Select(d => d.Message is null ? d : d with { Message = d.Message with { Id = Guid.CreateVersion7() } }).ToList();
        await ExecuteAsync(connection, transaction, [(Owner(ev), again)], EventQueue.CompleteCommand([ev.Claim], now), now, cancellationToken);
        // And a locked batch whose in-app message is delivered inline (inbox item, unread counts), as the routing loops write.
        // (Another cause: the same keys as above would be repeats, and a repeat is not delivered.)
        var inline = decisions.Select(d => d.Message is null ? d : d with { Message = d.Message with { Id = Guid.CreateVersion7(), CauseRef = "warm-up-inline" } })
            .ToList();
        // A List, as the routing loops pass (a collection expression would make another type, whose LINQ differs), written a
        // millisecond on, as a real write comes after its planning (the in-app message is then due).
        var written = now.AddMilliseconds(1);
        var batch = await WriteAsync(connection, transaction, new List<(EventRecord, IReadOnlyList<PlannedDecision>)> { (ev, inline) },
            EventQueue.CompleteLockedCommand(new List<Guid> { ev.Id }, written), _ => true, InboxWriter.TruncateToMicroseconds(written),
            cancellationToken, rehearse: true);
        await transaction.RollbackAsync(cancellationToken);
        return batch.Delivered?.Items.Count ?? 0;
    }

    /// <summary>
    /// Writes many whole events (no digests) and marks them all routed, or — if this dispatcher lost the
    /// claim on any of them — nothing at all (<see cref="LeaseLostException"/>). The in-app messages that
    /// <paramref name="inline"/> allows (due now, not an escalation, queued as decided) are delivered in the same
    /// transaction (<see cref="InboxWriter.DeliverInlineAsync"/>): marked sent, their inbox items written; the caller
    /// pushes <see cref="RoutedBatch.Delivered"/> after this returns.
    /// </summary>
    public async Task<RoutedBatch> WriteManyAsync(
        IReadOnlyList<(EventRecord Event, IReadOnlyList<PlannedDecision> Decisions)> events, Func<EventRecord, bool>? inline,
        CancellationToken cancellationToken)
    {
        // Microseconds, as PostgreSQL keeps them: the inline delivery finds its messages by this created_at.
        var now = InboxWriter.TruncateToMicroseconds(time.GetUtcNow());
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var complete = EventQueue.CompleteCommand(events.Select(e => e.Event.Claim).ToList(), now);
        return await WriteAsync(connection, transaction, events, complete, inline, now, cancellationToken);
    }

    /// <summary>
    /// As <see cref="WriteManyAsync(IReadOnlyList{ValueTuple{EventRecord, IReadOnlyList{PlannedDecision}}}, Func{EventRecord, bool}?, CancellationToken)"/>,
    /// for events claimed by their row locks: written and committed in the transaction that holds them (<see cref="EventQueue.LockDueAsync"/>).
    /// </summary>
    public async Task<RoutedBatch> WriteLockedAsync(
        LockedEvents locked, IReadOnlyList<(EventRecord Event, IReadOnlyList<PlannedDecision> Decisions)> events, Func<EventRecord, bool>? inline,
        CancellationToken cancellationToken)
    {
        var now = InboxWriter.TruncateToMicroseconds(time.GetUtcNow());
        var complete = EventQueue.CompleteLockedCommand(events.Select(e => e.Event.Id).ToList(), now);
        return await WriteAsync(locked.Connection, locked.Transaction, events, complete, inline, now, cancellationToken);
    }

    private static async Task<RoutedBatch> WriteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<(EventRecord Event, IReadOnlyList<PlannedDecision> Decisions)> events,
        NpgsqlBatchCommand complete, Func<EventRecord, bool>? inline, DateTimeOffset now, CancellationToken cancellationToken,
        bool rehearse = false)
    {
        List<DeliveredItem> items = [];
        // The in-app messages delivered in this transaction are inserted already sent (RoutingCommands.Insert).
        var candidates = inline is null ? new List<ClaimedMessage>() : InlineInApp(events, inline, now);
        var inserted = await ExecuteAsync(connection, transaction, events.Select(e => (Owner(e.Event), e.Decisions)).ToList(), complete, now, cancellationToken,
            candidates.Count == 0 ? null : candidates.Select(m => m.Id).ToHashSet());
        if (complete.RecordsAffected != events.Count && !rehearse) // a rehearsal's event is made up: no row to complete
        {
            await transaction.RollbackAsync(cancellationToken);
            throw new LeaseLostException(events[0].Event.Id);
        }

        var recorded = events.Select(e => Recorded(e.Decisions, inserted)).ToList();
        var deliver = candidates.Where(m => inserted.Contains(m.Id)).ToList(); // a repeat of a key was not inserted
        if (deliver.Count > 0)
        {
            items = await InboxWriter.DeliverInlineAsync(connection, transaction, deliver, now, cancellationToken);
        }

        if (!rehearse) // a rehearsal's caller rolls it back
        {
            await transaction.CommitAsync(cancellationToken);
        }

        var delivered = items.Count == 0
            ? null
            : new InboxDelivery(items.Select(i => i.Message).ToList(), items, await InboxWriter.CountsAfterAsync(connection, items, cancellationToken));
        return new RoutedBatch(recorded, delivered);
    }

    /// <summary>The in-app messages that may be delivered in the routing transaction (due now, not an escalation, queued as decided).</summary>
    private static List<ClaimedMessage> InlineInApp(
        IReadOnlyList<(EventRecord Event, IReadOnlyList<PlannedDecision> Decisions)> events, Func<EventRecord, bool> inline, DateTimeOffset now)
    {
        var deliver = new List<ClaimedMessage>();
        foreach (var (ev, decisions) in events)
        {
            if (!inline(ev))
            {
                continue;
            }

            foreach (var decision in decisions)
            {
                if (decision is { Outcome: DecisionOutcome.Queued, Message: { Channel: Channel.InApp, EscalationOf: null } m }
                    && m.DueAt <= now)
                {
                    deliver.Add(new ClaimedMessage(
                        m.Id, ev.TenantId, ev.Id, m.RecipientId, decision.RecipientExternalId, m.Channel, m.Category, m.TemplateName,
                        m.TemplateVersion, m.Locale, m.CauseRef, m.Address, Attempts: 1, EscalationOf: null, ev.TraceParent, m.Content,
                        DueAt: m.DueAt, UnsubscribeUrl: m.UnsubscribeUrl));
                }
            }
        }

        return deliver;
    }

    /// <summary>Writes messages, renders and decisions within a caller's transaction (used by the digest flusher).</summary>
    internal static Task<HashSet<Guid>> WriteMessagesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid eventId, string tenantId,
        IReadOnlyList<PlannedDecision> decisions, DateTimeOffset now, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, [(new RowOwner(eventId, tenantId, null), decisions)], null, now, cancellationToken);

    private static async Task<HashSet<Guid>> ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<(RowOwner Owner, IReadOnlyList<PlannedDecision> Decisions)> writes,
        NpgsqlBatchCommand? finish, DateTimeOffset now, CancellationToken cancellationToken, IReadOnlySet<Guid>? sentInline = null)
    {
        var messages = writes.SelectMany(w => w.Decisions.Where(d => d.Message is not null).Select(d => (w.Owner, d.Message!))).ToList();
        var decisions = writes.SelectMany(w => w.Decisions.Select(d => (w.Owner, d))).ToList();
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (messages.Count > 0 || decisions.Count > 0)
        {
            // One statement (keys claimed set-based, then messages, renders, decisions); the trigger stands aside meanwhile.
            batch.BatchCommands.Add(RoutingCommands.KeysClaimed());
            batch.BatchCommands.Add(RoutingCommands.Insert(messages, decisions, now, sentInline));
            batch.BatchCommands.Add(RoutingCommands.KeysReleased());
        }

        if (finish is not null)
        {
            batch.BatchCommands.Add(finish);
        }

        var inserted = new HashSet<Guid>();
        if (batch.BatchCommands.Count == 0)
        {
            return inserted;
        }

        // The set_config results come first; the write returns the ids of the messages it inserted.
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (messages.Count > 0 || decisions.Count > 0)
        {
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                inserted.Add(reader.GetGuid(0));
            }
        }

        return inserted;
    }

    private static RowOwner Owner(EventRecord ev) => new(ev.Id, ev.TenantId, ev.TraceParent);

    private static List<PlannedDecision> Recorded(IReadOnlyList<PlannedDecision> decisions, HashSet<Guid> inserted) =>
        decisions.Select(d => d.Message is null || inserted.Contains(d.Message.Id)
            ? d
            : d with { Outcome = DecisionOutcome.Blocked, Reason = ReasonCodes.Duplicate, Detail = RoutingCommands.DuplicateDetail, Message = null })
            .ToList();
}

/// <summary>What a batch write recorded (per event, duplicates rewritten) and the in-app items it delivered in its transaction, if any.</summary>
public sealed record RoutedBatch(IReadOnlyList<IReadOnlyList<PlannedDecision>> Recorded, InboxDelivery? Delivered);

public sealed class LeaseLostException(Guid eventId)
    : Exception($"The lease on event {eventId} was lost to another dispatcher; its routing is rolled back.");
