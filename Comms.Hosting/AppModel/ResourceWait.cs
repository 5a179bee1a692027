namespace Comms.Hosting;

public enum WaitKind
{
    /// <summary>Wait until the dependency is healthy (servers ready, projects answering their health check).</summary>
    Healthy,

    /// <summary>Wait until the dependency has exited with code 0 (e.g. a migrator).</summary>
    Completion,
}

/// <summary>A start-order dependency declared with WaitFor / WaitForCompletion.</summary>
public sealed record ResourceWait(Resource Resource, WaitKind Kind);
