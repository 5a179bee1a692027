using System.Text.RegularExpressions;

namespace Comms.Hosting;

/// <summary>
/// Base class of every resource in the app model. Derived classes implement the lifecycle that the
/// <see cref="DistributedApplication"/> drives: prepare (resolve ports and secrets, before anything starts),
/// start, wait until healthy, and stop. Custom (e.g. fake) resources can derive from it too.
/// </summary>
public abstract partial class Resource : IResource
{
    private readonly List<ResourceWait> _waits = [];

    protected Resource(string name)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw new ArgumentException(
                $"Invalid resource name '{name}': use letters, digits and '-', starting with a letter (at most 64 characters).", nameof(name));
        }

        Name = name;
    }

    public string Name { get; }

    /// <summary>Declared start-order dependencies.</summary>
    public IReadOnlyList<ResourceWait> Waits => _waits;

    /// <summary>Connection string taken from configuration (<c>ConnectionStrings:&lt;name&gt;</c>); the resource is then not started.</summary>
    public string? ExternalConnectionString { get; internal set; }

    public bool IsExternal => ExternalConnectionString is not null;

    /// <summary>Why the resource is not started (external, or not needed); null if it runs.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>Completes with the exit code if the resource has a process; null otherwise.</summary>
    protected internal virtual Task<int>? Exited => null;

    public override string ToString() => Name;

    internal void AddWait(ResourceWait wait)
    {
        if (wait.Resource == this)
        {
            throw new ArgumentException($"'{Name}' cannot wait for itself.");
        }

        _waits.Add(wait);
    }

    internal void MarkExternal(string connectionString, string configurationKey)
    {
        ExternalConnectionString = connectionString;
        SkipReason = $"external ({configurationKey} from configuration), not started";
    }

    /// <summary>Marks the resource as not started (it counts as healthy for waiters).</summary>
    protected void Skip(string reason) => SkipReason = reason;

    /// <summary>Resolves ports, paths and secrets. Runs for every resource before any is started.</summary>
    protected internal virtual Task PrepareAsync(ResourceContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Starts the resource; returns once it is running (for servers: ready to accept connections).</summary>
    protected internal abstract Task StartAsync(ResourceContext context, CancellationToken cancellationToken);

    /// <summary>Returns when the resource is healthy; the default is "healthy once started".</summary>
    protected internal virtual Task WaitUntilHealthyAsync(ResourceContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops the resource (idempotent).</summary>
    protected internal virtual Task StopAsync(ResourceContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>One line for the startup summary (URLs, connection info without secrets).</summary>
    protected internal virtual string Describe() => "running";

    /// <summary>Endpoint by name (e.g. "http", "smtp"), or null.</summary>
    protected internal virtual Uri? GetEndpoint(string endpointName) => null;

    /// <summary>The last output lines, for error messages; null if the resource has no process.</summary>
    protected internal virtual string? GetOutputTail() => null;

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9-]{0,63}$")]
    private static partial Regex NamePattern();
}
