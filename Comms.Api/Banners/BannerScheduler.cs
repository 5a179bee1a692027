using Comms.Core.Banners;
using Comms.Realtime;

namespace Comms.Api.Banners;

/// <summary>
/// Pushes <c>bannersChanged</c> at the moment a scheduled activation starts or ends, without client polling: it sleeps
/// until the next start or end (or until an activation changes in this process), then claims the due instants — each
/// once across replicas, by an atomic UPDATE of their pushed-at column — and pushes to their audience. Other replicas'
/// changes are seen at the latest after <see cref="MaxIdle"/>.
/// </summary>
public sealed partial class BannerScheduler(BannerService banners, LivePushes pushes, TimeProvider time, ILogger<BannerScheduler> logger)
    : BackgroundService
{
    public static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>An activation changed here: look again for the next instant now.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = MaxIdle;
            try
            {
                var (due, next) = await banners.ClaimDueAsync(stoppingToken);
                foreach (var audience in due)
                {
                    pushes.BannersChanged(audience);
                }

                if (due.Count > 0)
                {
                    LogPushed(logger, due.Count);
                }

                if (next is { } at)
                {
                    var until = at - time.GetUtcNow();
                    wait = until < TimeSpan.Zero ? TimeSpan.Zero : until < MaxIdle ? until : MaxIdle;
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, ex.GetType().Name);
                wait = RetryAfter;
            }

            try
            {
                using var timeout = new CancellationTokenSource(wait, time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stoppingToken);
                await _wake.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The next instant is due.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(1, LogLevel.Debug, "Pushed {Count} banner start(s) or end(s)")]
    private static partial void LogPushed(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Warning, "The banner scheduler failed ({Failure}); it tries again shortly")]
    private static partial void LogFailed(ILogger logger, string failure);
}
