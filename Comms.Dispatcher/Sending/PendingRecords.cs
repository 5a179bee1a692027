namespace Comms.Dispatcher.Sending;

/// <summary>
/// The outcome writes of one round that run behind its sends: a send's parallel slot is free as soon as the provider
/// answered, while its "sent" mark is written (group-committed with the others) in the background. At most
/// <c>limit</c> marks wait at once (a crash re-sends no more than those and the sends in flight); the round ends only
/// when every mark is written. A failed write (the database away) stops the round's remaining sends, as a failed
/// write inside the send would, and is rethrown by <see cref="WhenAllAsync"/>.
/// </summary>
public sealed class PendingRecords(int limit, CancellationToken roundToken) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(limit, limit);
    private readonly List<Task> _writes = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _failed = CancellationTokenSource.CreateLinkedTokenSource(roundToken);

    /// <summary>Cancelled when the round stops: the worker stops or a write failed.</summary>
    public CancellationToken SendsToken => _failed.Token;

    /// <summary>Starts <paramref name="write"/> once fewer than the limit are waiting; <paramref name="after"/> runs when it ends, whatever happened.</summary>
    public async Task AddAsync(Func<CancellationToken, Task> write, Action after, CancellationToken cancellationToken)
    {
        try
        {
            await _slots.WaitAsync(cancellationToken);
        }
        catch
        {
            after();
            throw;
        }

        var task = RunAsync(write, after);
        lock (_lock)
        {
            _writes.Add(task);
        }
    }

    private async Task RunAsync(Func<CancellationToken, Task> write, Action after)
    {
        try
        {
            await Task.Yield(); // the caller's send slot is free now
            await write(roundToken);
        }
        catch
        {
            await _failed.CancelAsync();
            throw;
        }
        finally
        {
            _slots.Release();
            after();
        }
    }

    /// <summary>Waits for every write started; rethrows the first that failed.</summary>
    public Task WhenAllAsync()
    {
        lock (_lock)
        {
            return Task.WhenAll(_writes.ToArray());
        }
    }

    public void Dispose()
    {
        _slots.Dispose();
        _failed.Dispose();
    }
}
