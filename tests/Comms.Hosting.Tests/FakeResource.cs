using System.Collections.Concurrent;

namespace Comms.Hosting.Tests;

/// <summary>An in-process resource that records its lifecycle, for orchestration tests.</summary>
internal class FakeResource(string name, ConcurrentQueue<string> events) : Resource(name)
{
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _started;

    /// <summary>If set, the fake "process" exits with this code right after starting (a job).</summary>
    public int? ExitCodeAfterStart { get; init; }

    /// <summary>Simulated time until healthy.</summary>
    public TimeSpan HealthDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    protected internal override Task<int>? Exited => _started ? _exit.Task : null;

    protected internal override Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        events.Enqueue($"start:{Name}");
        _started = true;
        if (ExitCodeAfterStart is { } code)
        {
            _ = Task.Run(() =>
            {
                events.Enqueue($"exit:{Name}");
                _exit.TrySetResult(code);
            }, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    protected internal override async Task WaitUntilHealthyAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(HealthDelay, cancellationToken); // simulated work, gives waiters a chance to start too early
        events.Enqueue($"healthy:{Name}");
    }

    protected internal override Task StopAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        events.Enqueue($"stop:{Name}");
        _exit.TrySetResult(143);
        return Task.CompletedTask;
    }
}

/// <summary>A fake database with a fixed connection string.</summary>
internal sealed class FakeDatabase(string name, ConcurrentQueue<string> events, string connectionString)
    : FakeResource(name, events), IResourceWithConnectionString
{
    public string? ConnectionString => ExternalConnectionString ?? connectionString;
}
