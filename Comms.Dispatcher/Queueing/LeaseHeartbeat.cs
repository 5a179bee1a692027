using System.Collections.Concurrent;
using Comms.Core.Queueing;

namespace Comms.Dispatcher.Queueing;

/// <summary>Extends the leases of claims; returns the ids still held.</summary>
public delegate Task<IReadOnlySet<Guid>> ExtendLeases(IReadOnlyCollection<LeaseClaim> claims, TimeSpan lease, CancellationToken cancellationToken);

/// <summary>
/// Keeps the leases of a claimed batch alive while its items are worked on (long sends, long audience routing):
/// every third of the lease it extends the leases of the items not yet finished, in one statement. An item whose
/// lease was taken over meanwhile (this replica stalled past its lease) is dropped and logged: its fenced writes
/// will change nothing, and the worker moves on. If the database cannot be reached the heartbeat simply tries again
/// at the next beat; the items stay leased until then.
/// </summary>
public sealed partial class LeaseHeartbeat : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Guid, Guid> _held = new();
    private readonly CancellationTokenSource _stop;
    private readonly Task _loop;

    private LeaseHeartbeat(
        IEnumerable<LeaseClaim> claims, ExtendLeases extend, TimeSpan lease, string queue, TimeProvider time, ILogger logger,
        CancellationToken stoppingToken)
    {
        foreach (var claim in claims)
        {
            _held[claim.Id] = claim.Token;
        }

        _stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        _loop = _held.IsEmpty ? Task.CompletedTask : BeatAsync(extend, lease, queue, time, logger, _stop.Token);
    }

    public static LeaseHeartbeat Start(
        IEnumerable<LeaseClaim> claims, ExtendLeases extend, TimeSpan lease, string queue, TimeProvider time, ILogger logger,
        CancellationToken stoppingToken) =>
        new(claims, extend, lease, queue, time, logger, stoppingToken);

    /// <summary>The item is finished (or given back): its lease needs no more extending.</summary>
    public void Done(Guid id) => _held.TryRemove(id, out _);

    /// <summary>False once the heartbeat found the item's lease taken over.</summary>
    public bool Holds(Guid id) => _held.ContainsKey(id);

    private async Task BeatAsync(ExtendLeases extend, TimeSpan lease, string queue, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var interval = lease / 3;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, cancellationToken);
                var claims = _held.Select(h => new LeaseClaim(h.Key, h.Value)).ToList();
                if (claims.Count == 0)
                {
                    continue;
                }

                var held = await extend(claims, lease, cancellationToken);
                foreach (var lost in claims.Where(c => !held.Contains(c.Id)))
                {
                    // Finished between the snapshot and the update, or taken over by another claim.
                    if (_held.TryRemove(lost.Id, out _))
                    {
                        LogLost(logger, queue, lost.Id);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogBeatFailed(logger, queue, ex.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    [LoggerMessage(20, LogLevel.Information, "The {Queue} lease of {Id} is no longer held (finished meanwhile, or taken over by another claim)")]
    private static partial void LogLost(ILogger logger, string queue, Guid id);

    [LoggerMessage(21, LogLevel.Warning, "Extending {Queue} leases failed ({Problem}); trying again at the next beat")]
    private static partial void LogBeatFailed(ILogger logger, string queue, string problem);
}
