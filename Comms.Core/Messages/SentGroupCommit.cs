using System.Threading.Channels;

namespace Comms.Core.Messages;

/// <summary>
/// Group commit of "sent" marks: concurrent <see cref="MessageQueue.MarkSentAsync"/> calls (one per message of a
/// sending loop, many in flight) are written together in one fenced statement, whatever queued up while the previous
/// one ran — no timer, so a lone mark is written at once and a busy loop pays one round trip and one commit for many.
/// Each mark's attempt row is written by the same statement. Each caller still waits until its own row is committed (or learns it was taken over), as with a statement of its own.
/// </summary>
internal sealed class SentGroupCommit(Func<IReadOnlyCollection<SentMark>, CancellationToken, Task<IReadOnlySet<Guid>>> write)
{
    private const int MaxPerStatement = 1000;

    private readonly Channel<Pending> _pending = System.Threading.Channels.Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private int _writing;

    private sealed record Pending(SentMark Mark, TaskCompletionSource<bool> Done);

    public Task<bool> MarkAsync(SentMark mark, CancellationToken cancellationToken)
    {
        var pending = new Pending(mark, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        _pending.Writer.TryWrite(pending);
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            _ = Task.Run(WriteAllAsync, CancellationToken.None);
        }

        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes until nothing is pending, then stops (the next mark starts a writer again).</summary>
    private async Task WriteAllAsync()
    {
        while (true)
        {
            var batch = new List<Pending>();
            while (batch.Count < MaxPerStatement && _pending.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            if (batch.Count == 0)
            {
                Volatile.Write(ref _writing, 0);
                // A mark that came in after the last read but saw the writer still running: take it over.
                if (!_pending.Reader.TryPeek(out _) || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
                {
                    return;
                }

                continue;
            }

            try
            {
                var held = await write([.. batch.Select(p => p.Mark)], CancellationToken.None);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetResult(held.Contains(pending.Mark.Claim.Id));
                }
            }
            catch (Exception ex)
            {
                // As a statement of its own would: every caller of this statement sees its failure (e.g. the database away).
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(ex);
                }
            }
        }
    }
}
