using Microsoft.Extensions.Logging;

namespace Comms.Hosting;

internal sealed partial class Orchestrator
{
    public async Task StopAsync()
    {
        _stopping = true;
        CancelStartup();
        if (_startup is { } startup)
        {
            await startup.ContinueWith(_ => { }, TaskScheduler.Default); // wait for startup to unwind, ignore its outcome
        }

        Task stop;
        lock (_lock)
        {
            stop = _stop ??= StopStartedAsync();
        }

        await stop;
    }

    private async Task StopStartedAsync()
    {
        _stopping = true;
        List<ResourceRun> order;
        lock (_lock)
        {
            order = [.. _startOrder.Where(r => !r.Stopped)];
            order.Reverse();
            order.ForEach(r => r.Stopped = true);
        }

        foreach (var run in order)
        {
            HostingLog.Stopping(_logger, run.Resource.Name);
            try
            {
                await run.Resource.StopAsync(run.Context, CancellationToken.None);
                HostingLog.Stopped(_logger, run.Resource.Name);
            }
            catch (Exception ex)
            {
                HostingLog.StopFailed(_logger, run.Resource.Name, ex.Message);
            }
        }

        if (order.Count > 0)
        {
            HostingLog.AllStopped(_logger);
        }
    }
}
