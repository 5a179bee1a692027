using Microsoft.Extensions.Logging;

namespace Comms.Hosting;

/// <summary>
/// Starts resources in parallel as their waits allow, detects failures and crashes during startup, and stops
/// everything that was started in reverse start order.
/// </summary>
internal sealed partial class Orchestrator
{
    private readonly AppHostEnvironment _host;
    private readonly ILogger _logger;
    private readonly Dictionary<Resource, ResourceRun> _runs;
    private readonly List<ResourceRun> _startOrder = [];
    private readonly Lock _lock = new();
    private CancellationTokenSource? _startupCts;
    private DistributedApplicationException? _failure;
    private Task? _startup;
    private Task? _stop;
    private volatile bool _startupComplete;
    private volatile bool _stopping;

    public Orchestrator(AppHostEnvironment host)
    {
        _host = host;
        _logger = host.LoggerFactory.CreateLogger("apphost");
        var awaitedForCompletion = host.Resources.SelectMany(r => r.Waits)
            .Where(w => w.Kind == WaitKind.Completion)
            .Select(w => w.Resource)
            .ToHashSet();
        _runs = host.Resources.ToDictionary(
            r => r, r => new ResourceRun(r, new ResourceContext(host, r), awaitedForCompletion.Contains(r)));
    }

    public ILogger Logger => _logger;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_startup is not null || _stop is not null)
            {
                throw new InvalidOperationException("The application can only be started once.");
            }

            _startup = StartCoreAsync(cancellationToken);
            return _startup;
        }
    }

    public ResourceRun GetRun(string name) =>
        _runs.Values.FirstOrDefault(r => string.Equals(r.Resource.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException($"No resource named '{name}'.");

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _startupCts = cts;
        try
        {
            await PrepareAllAsync(cts.Token);
            await Task.WhenAll(_runs.Values.Select(run => RunGuardedAsync(run, cts.Token)));
            if (_failure is { } failure)
            {
                throw failure;
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (_stopping)
            {
                throw new OperationCanceledException("The application was stopped during startup.");
            }

            _startupComplete = true;
        }
        catch (Exception ex)
        {
            if (ex is OperationCanceledException && (cancellationToken.IsCancellationRequested || _stopping))
            {
                HostingLog.StartupCancelled(_logger);
            }
            else
            {
                HostingLog.StartupFailed(_logger, ex.Message);
            }

            await StopStartedAsync();
            if (ex is DistributedApplicationException or OperationCanceledException)
            {
                throw;
            }

            throw new DistributedApplicationException(ex.Message, ex);
        }
        finally
        {
            _startupCts = null;
        }
    }

    private async Task PrepareAllAsync(CancellationToken cancellationToken)
    {
        // External resources first, so "is anything still using this server?" decisions see them.
        foreach (var run in _runs.Values)
        {
            if (run.Resource is IResourceWithConnectionString
                && _host.Configuration[$"ConnectionStrings:{run.Resource.Name}"] is { Length: > 0 } external)
            {
                run.Resource.MarkExternal(external, $"ConnectionStrings:{run.Resource.Name}");
            }
        }

        foreach (var run in _runs.Values.Where(r => !r.Resource.IsExternal))
        {
            try
            {
                await run.Resource.PrepareAsync(run.Context, cancellationToken);
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or DistributedApplicationException))
            {
                throw new DistributedApplicationException($"{run.Resource.Name}: {ex.Message}", ex);
            }
        }
    }

    private async Task RunGuardedAsync(ResourceRun run, CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(run, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Another resource failed, or the caller cancelled.
        }
        catch (Exception ex)
        {
            Fail(ex is DistributedApplicationException dae ? dae : new DistributedApplicationException($"{run.Resource.Name}: {ex.Message}", ex));
        }
    }

    private async Task RunAsync(ResourceRun run, CancellationToken cancellationToken)
    {
        var resource = run.Resource;
        if (resource.SkipReason is { } reason)
        {
            HostingLog.Skipped(_logger, resource.Name, reason);
            run.Healthy.TrySetResult();
            run.Completed.TrySetResult(0);
            return;
        }

        foreach (var wait in resource.Waits)
        {
            await WaitForAsync(run, _runs[wait.Resource], wait.Kind, cancellationToken);
        }

        HostingLog.Starting(_logger, resource.Name);
        lock (_lock)
        {
            run.Started = true;
            _startOrder.Add(run);
        }

        await resource.StartAsync(run.Context, cancellationToken);
        var exited = resource.Exited;
        if (exited is not null)
        {
            _ = WatchExitAsync(run, exited);
        }

        await WaitUntilHealthyAsync(run, exited, cancellationToken);
        run.Healthy.TrySetResult();
        if (!run.RunsToCompletion)
        {
            HostingLog.Healthy(_logger, resource.Name);
        }
        else
        {
            var code = await run.Completed.Task.WaitAsync(cancellationToken);
            if (code != 0)
            {
                throw CompletionFailure(resource, code);
            }

            HostingLog.Completed(_logger, resource.Name);
        }
    }

    private async Task WaitForAsync(ResourceRun run, ResourceRun dependency, WaitKind kind, CancellationToken cancellationToken)
    {
        var target = kind == WaitKind.Healthy ? dependency.Healthy.Task : dependency.Completed.Task;
        if (!target.IsCompleted)
        {
            HostingLog.Waiting(_logger, run.Resource.Name, dependency.Resource.Name, kind);
        }

        await target.WaitAsync(cancellationToken);
        if (kind == WaitKind.Completion && dependency.Completed.Task.Result is var code and not 0)
        {
            throw CompletionFailure(dependency.Resource, code);
        }
    }

    private async Task WaitUntilHealthyAsync(ResourceRun run, Task<int>? exited, CancellationToken cancellationToken)
    {
        if (exited is null)
        {
            await run.Resource.WaitUntilHealthyAsync(run.Context, cancellationToken);
            return;
        }

        using var healthCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var health = run.Resource.WaitUntilHealthyAsync(run.Context, healthCts.Token);
        if (await Task.WhenAny(health, exited) == health)
        {
            await health;
            return;
        }

        await healthCts.CancelAsync();
        await health.ContinueWith(_ => { }, TaskScheduler.Default);
        if (!run.RunsToCompletion)
        {
            throw new DistributedApplicationException(
                $"{run.Resource.Name} exited with code {await exited} before it became healthy.{Tail(run.Resource)}");
        }
    }

    private async Task WatchExitAsync(ResourceRun run, Task<int> exited)
    {
        var code = await exited;
        run.Completed.TrySetResult(code);
        if (_stopping || run.Stopped || run.RunsToCompletion)
        {
            return; // expected, or reported by RunAsync
        }

        if (code == 0)
        {
            HostingLog.Exited(_logger, run.Resource.Name); // finished on its own, not a crash
        }
        else if (!_startupComplete)
        {
            Fail(new DistributedApplicationException(
                $"{run.Resource.Name} exited unexpectedly with code {code} during startup.{Tail(run.Resource)}"));
        }
        else
        {
            HostingLog.ExitedUnexpectedly(_logger, run.Resource.Name, code);
        }
    }

    private void Fail(DistributedApplicationException failure)
    {
        Interlocked.CompareExchange(ref _failure, failure, null);
        CancelStartup();
    }

    private void CancelStartup()
    {
        try
        {
            _startupCts?.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Same message whichever side (the job or a waiter) notices first.</summary>
    private DistributedApplicationException CompletionFailure(Resource resource, int code)
    {
        var waiters = string.Join(", ", _host.Resources.Where(r => r.Waits.Any(w => w.Resource == resource && w.Kind == WaitKind.Completion)));
        return new DistributedApplicationException(
            $"{resource.Name} exited with code {code}; {waiters} wait(s) for its successful completion.{Tail(resource)}");
    }

    private static string Tail(Resource resource) =>
        resource.GetOutputTail() is { } tail ? $"{Environment.NewLine}Last output of {resource.Name}:{Environment.NewLine}{tail}" : string.Empty;
}
