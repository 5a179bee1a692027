using Comms.Core.Events;
using Comms.Core.Recipients;

namespace Comms.Core.Routing;

/// <summary>The expansion of an event's audience, chunk by chunk, pipelined over the cores.</summary>
public sealed partial class EventRouter
{
    /// <summary>How many chunks of an audience are written at once (each by its own transaction, committed in order).</summary>
    public const int WritesInFlight = 2;

    /// <summary>
    /// How many chunks of an audience are read and planned ahead of the writes, at once. One: the planning of one chunk
    /// and the writes of two already fill the two cores; two planned at once made the expansion slower (more CPU a message
    /// in both the dispatcher and PostgreSQL; 26,000–28,000 messages/s against 29,000–31,000 in the broadcast benchmark).
    /// </summary>
    public const int PlansInFlight = 1;

    /// <summary>
    /// Expands an audience chunk by chunk from the event's cursor, pipelined: the chunks are read one after another (each
    /// from the last id of the one before), planned up to <see cref="PlansInFlight"/> at once (the dispatcher's work), and
    /// written up to <see cref="WritesInFlight"/> at once on different backends (PostgreSQL's), so the work spreads over
    /// the cores. Each chunk's transaction writes its rows at once but moves the cursor and commits only after the chunk
    /// before it committed, fenced on the claim: a crash or a lost lease resumes after the last chunk committed, and
    /// nothing is written twice. At most <see cref="PlansInFlight"/> + <see cref="WritesInFlight"/> chunks are in memory.
    /// </summary>
    private async Task<int> RouteAudienceAsync(RoutingInput input, AudienceSelector selector, CancellationToken cancellationToken)
    {
        var ev = input.Event;
        var total = 0;
        var writes = new Queue<Task<IReadOnlyList<PlannedDecision>>>();
        var plans = new Queue<Task<PlannedChunk?>>();
        Task? previousWrite = null;
        var previousCursor = ev.RoutingCursor;
        var read = Task.FromResult<IReadOnlyList<Recipient>?>(null);
        void PlanNext()
        {
            var before = read;
            read = Task.Run(() => ReadAfterAsync(ev, selector, before, cancellationToken), cancellationToken);
            var recipients = read;
            plans.Enqueue(Task.Run(() => PlanChunkAsync(input, recipients, cancellationToken), cancellationToken));
        }

        try
        {
            for (var i = 0; i < PlansInFlight; i++)
            {
                PlanNext();
            }

            while (true)
            {
                // Left in the queue until it succeeded: a failed plan is still awaited by the cleanup below.
                var chunk = await plans.Peek();
                _ = plans.Dequeue();
                if (chunk is null)
                {
                    total += await FinishWritesAsync(ev, writes, 0);
                    if (!await queue.CompleteAsync(ev.Claim, cancellationToken))
                    {
                        throw new LeaseLostException(ev.Id);
                    }

                    return total;
                }

                if (!chunk.Last)
                {
                    PlanNext();
                }

                total += await FinishWritesAsync(ev, writes, WritesInFlight - 1);
                var (predecessor, from) = (previousWrite, previousCursor);
                var write = Task.Run(() => store.WriteAsync(ev, chunk.Decisions, from, chunk.Cursor, chunk.Last, predecessor, cancellationToken), cancellationToken);
                writes.Enqueue(write);
                (previousWrite, previousCursor) = (write, chunk.Cursor);
                if (chunk.Last)
                {
                    return total + await FinishWritesAsync(ev, writes, 0);
                }
            }
        }
        finally
        {
            // The payload the planning reads is disposed by the caller: let the chunks read and planned ahead, and the writes,
            // finish first (those past the audience's end read nothing).
            foreach (var pending in writes.Cast<Task>().Concat(plans).Append(read))
            {
                await pending.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// The chunk after <paramref name="before"/> (the first from the event's cursor when that is the start): empty once the
    /// audience is exhausted (a chunk shorter than <see cref="ChunkSize"/> was the last).
    /// </summary>
    private async Task<IReadOnlyList<Recipient>?> ReadAfterAsync(
        EventRecord ev, AudienceSelector selector, Task<IReadOnlyList<Recipient>?> before, CancellationToken cancellationToken)
    {
        var previous = await before;
        if (previous is { Count: < ChunkSize })
        {
            return [];
        }

        var after = previous is null ? ev.RoutingCursor : previous[^1].Id;
        return await audience.NextChunkAsync(ev.TenantId, selector, after, ChunkSize, cancellationToken);
    }

    /// <summary>Awaits the oldest writes, in order, until at most <paramref name="left"/> are in flight; announces each; returns their count.</summary>
    private async Task<int> FinishWritesAsync(EventRecord ev, Queue<Task<IReadOnlyList<PlannedDecision>>> writes, int left)
    {
        var count = 0;
        while (writes.Count > left)
        {
            // Left in the queue until it succeeded: a failed write is still awaited by the caller's cleanup.
            var recorded = await writes.Peek();
            _ = writes.Dequeue();
            await AnnounceAsync(ev, recorded);
            count += recorded.Count;
        }

        return count;
    }

    /// <summary>A chunk of the audience, planned; null when the audience is exhausted.</summary>
    private async Task<PlannedChunk?> PlanChunkAsync(RoutingInput input, Task<IReadOnlyList<Recipient>?> read, CancellationToken cancellationToken)
    {
        var recipients = await read;
        if (recipients is null or { Count: 0 })
        {
            return null;
        }

        var ev = input.Event;
        var facts = await RecipientFacts.LoadAsync(dataSource, ev.TenantId, recipients, [ev.Category], cancellationToken);
        var decisions = new List<PlannedDecision>(recipients.Count);
        await PlanAsync(input with { Facts = facts, Now = time.GetUtcNow() }, recipients, decisions);
        return new PlannedChunk(decisions, recipients[^1].Id, recipients.Count < ChunkSize);
    }

    private sealed record PlannedChunk(List<PlannedDecision> Decisions, Guid Cursor, bool Last);
}
