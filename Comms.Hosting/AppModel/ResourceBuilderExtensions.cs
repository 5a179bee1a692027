namespace Comms.Hosting;

/// <summary>Aspire-style fluent configuration: references, waits, environment, arguments, endpoints.</summary>
public static class ResourceBuilderExtensions
{
    /// <summary>Injects <c>ConnectionStrings__&lt;source name&gt;</c>.</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithConnectionString> source)
        where T : ProcessResource
    {
        ArgumentNullException.ThrowIfNull(source);
        builder.Resource.References.Add(source.Resource);
        return builder;
    }

    /// <summary>Injects <c>services__&lt;source name&gt;__http__0=http://127.0.0.1:&lt;port&gt;</c>.</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithServiceDiscovery> source)
        where T : ProcessResource
    {
        ArgumentNullException.ThrowIfNull(source);
        builder.Resource.References.Add(source.Resource);
        return builder;
    }

    /// <summary>Start only after <paramref name="dependency"/> is healthy.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency)
        where T : Resource
    {
        builder.Resource.AddWait(new ResourceWait(AsResource(dependency), WaitKind.Healthy));
        return builder;
    }

    /// <summary>Start only after <paramref name="dependency"/> has exited with code 0; a non-zero exit aborts startup.</summary>
    public static IResourceBuilder<T> WaitForCompletion<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency)
        where T : Resource
    {
        builder.Resource.AddWait(new ResourceWait(AsResource(dependency), WaitKind.Completion));
        return builder;
    }

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string? value)
        where T : ProcessResource
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        builder.Resource.AddEnvironment(name, () => value);
        return builder;
    }

    /// <summary>An environment variable computed when the process starts (e.g. from another resource's endpoint).</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, Func<string?> value)
        where T : ProcessResource
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        builder.Resource.AddEnvironment(name, value);
        return builder;
    }

    public static IResourceBuilder<T> WithArgs<T>(this IResourceBuilder<T> builder, params string[] args)
        where T : ProcessResource
    {
        foreach (var arg in args)
        {
            builder.Resource.Args.Add(arg);
        }

        return builder;
    }

    /// <summary>
    /// The process listens on <c>http://127.0.0.1:&lt;port&gt;</c> (projects get it as ASPNETCORE_URLS). The port can be
    /// overridden with <c>Comms:AppHost:Ports:&lt;name&gt;</c>; null or 0 picks a free port.
    /// </summary>
    public static IResourceBuilder<T> WithHttpEndpoint<T>(this IResourceBuilder<T> builder, int? port = null)
        where T : ProcessResource
    {
        builder.Resource.HasHttpEndpoint = true;
        builder.Resource.RequestedHttpPort = port;
        return builder;
    }

    /// <summary>Health check path polled after start (default <c>/health</c>); null: healthy once started.</summary>
    public static IResourceBuilder<T> WithHttpHealthCheck<T>(this IResourceBuilder<T> builder, string? path = "/health", TimeSpan? timeout = null)
        where T : ProcessResource
    {
        builder.Resource.HealthCheckPath = path;
        if (timeout is { } value)
        {
            builder.Resource.HealthCheckTimeout = value;
        }

        return builder;
    }

    private static Resource AsResource(IResourceBuilder<IResource> dependency) =>
        dependency?.Resource as Resource
        ?? throw new ArgumentException("Dependencies must be resources created by a DistributedApplicationBuilder.", nameof(dependency));
}
