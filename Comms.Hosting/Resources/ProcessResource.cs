using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Comms.Hosting;

/// <summary>
/// A resource run as a child process (a project or an executable): arguments, environment, references,
/// an optional HTTP endpoint with a health check.
/// </summary>
public abstract class ProcessResource : Resource, IResourceWithServiceDiscovery
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private readonly List<KeyValuePair<string, Func<string?>>> _environment = [];
    private ChildProcess? _process;

    protected ProcessResource(string name)
        : base(name)
    {
    }

    /// <summary>Extra command-line arguments.</summary>
    public IList<string> Args { get; } = [];

    /// <summary>Resources whose connection string or URL is injected into the environment.</summary>
    public IList<IResource> References { get; } = [];

    /// <summary>True once WithHttpEndpoint was called.</summary>
    public bool HasHttpEndpoint { get; internal set; }

    /// <summary>Port given to WithHttpEndpoint (null or 0: a free port).</summary>
    public int? RequestedHttpPort { get; internal set; }

    /// <summary>The port actually used (after configuration overrides); null before the app is prepared.</summary>
    public int? HttpPort { get; private set; }

    public string? HttpUrl => HttpPort is { } port ? $"http://127.0.0.1:{port}" : null;

    /// <summary>Path polled for 200 OK after start (null: healthy once started); default <c>/health</c> with an endpoint.</summary>
    public string? HealthCheckPath { get; set; } = "/health";

    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait after SIGTERM before SIGKILL.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>PID of the running process, if started.</summary>
    public int? Pid => _process?.Pid;

    protected internal override Task<int>? Exited => _process?.Exited;

    internal void AddEnvironment(string name, Func<string?> value) => _environment.Add(new(name, value));

    /// <summary>The environment injected on top of the inherited one (null values remove a variable).</summary>
    internal Dictionary<string, string?> BuildEnvironment(ResourceContext context)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["OTEL_SERVICE_NAME"] = Name,
        };
        if (Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } otlp)
        {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp;
        }

        AddDefaultEnvironment(context, environment);
        foreach (var reference in References)
        {
            switch (reference)
            {
                case IResourceWithConnectionString withConnectionString:
                    environment[$"ConnectionStrings__{reference.Name}"] = withConnectionString.ConnectionString
                        ?? throw new DistributedApplicationException($"{Name} references {reference.Name}, whose connection string is not known.");
                    break;
                case IResourceWithServiceDiscovery service:
                    environment[$"services__{reference.Name}__http__0"] = service.HttpUrl
                        ?? throw new DistributedApplicationException($"{Name} references {reference.Name}, which has no HTTP endpoint (add WithHttpEndpoint).");
                    break;
                default:
                    throw new DistributedApplicationException($"{Name} cannot reference {reference.Name}: it has no connection string or endpoint.");
            }
        }

        foreach (var (key, value) in _environment)
        {
            environment[key] = value();
        }

        return environment;
    }

    protected internal override Task PrepareAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        if (HasHttpEndpoint)
        {
            HttpPort = context.ResolvePort(Name, RequestedHttpPort);
        }

        return Task.CompletedTask;
    }

    protected internal override Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        if (HttpPort is { } port)
        {
            PortAllocator.EnsureFree(port, Name);
        }

        var options = CreateStartOptions(context, BuildEnvironment(context));
        _process = ChildProcess.Start(options, ProcessLog.Forward(context.Logger));
        return Task.CompletedTask;
    }

    protected internal override async Task WaitUntilHealthyAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        if (HttpUrl is not { } url || HealthCheckPath is null)
        {
            return;
        }

        var health = new Uri(url + HealthCheckPath);
        var clock = Stopwatch.StartNew();
        while (!await HttpProbe.IsOkAsync(Http, health, cancellationToken))
        {
            if (clock.Elapsed > HealthCheckTimeout)
            {
                throw new DistributedApplicationException(
                    $"{Name} did not answer 200 on {health} within {HealthCheckTimeout.TotalSeconds:0} s.{Environment.NewLine}" +
                    $"Last output of {Name}:{Environment.NewLine}{_process?.FormatOutputTail()}");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    protected internal override async Task StopAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        if (_process is not { } process)
        {
            return;
        }

        if (!await process.StopAsync(Signals.SIGTERM, StopTimeout, cancellationToken))
        {
            ProcessLog.Killed(context.Logger, Name, process.Pid, StopTimeout);
        }

        await process.DisposeAsync();
    }

    protected internal override string Describe() =>
        HttpUrl is { } url
            ? HealthCheckPath is null ? url : $"{url}  (health {url}{HealthCheckPath})"
            : _process is { HasExited: true } exited ? $"exited (code {exited.Exited.Result})" : $"running (pid {Pid})";

    protected internal override Uri? GetEndpoint(string endpointName) =>
        endpointName == "http" && HttpUrl is { } url ? new Uri(url) : null;

    protected internal override string? GetOutputTail() => _process?.FormatOutputTail();

    /// <summary>Adds resource-specific variables (e.g. ASPNETCORE_URLS for projects).</summary>
    protected virtual void AddDefaultEnvironment(ResourceContext context, IDictionary<string, string?> environment)
    {
    }

    /// <summary>What to run.</summary>
    protected abstract ChildProcessOptions CreateStartOptions(ResourceContext context, IReadOnlyDictionary<string, string?> environment);
}
