namespace Comms.Hosting;

/// <summary>Runtime state of one resource inside the orchestrator.</summary>
internal sealed class ResourceRun(Resource resource, ResourceContext context, bool runsToCompletion)
{
    public Resource Resource { get; } = resource;

    public ResourceContext Context { get; } = context;

    /// <summary>Someone waits for this resource's completion: exiting is its job, not a crash.</summary>
    public bool RunsToCompletion { get; } = runsToCompletion;

    public TaskCompletionSource Healthy { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<int> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>StartAsync was called (so StopAsync must be called).</summary>
    public bool Started { get; set; }

    public bool Stopped { get; set; }
}
