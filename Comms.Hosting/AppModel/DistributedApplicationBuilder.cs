using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Comms.Hosting;

/// <summary>Collects resources and configuration; <see cref="Build"/> creates the runnable application.</summary>
public sealed class DistributedApplicationBuilder
{
    private readonly List<Resource> _resources = [];
    private readonly Lazy<string> _repositoryRoot;
    private bool _built;

    internal DistributedApplicationBuilder(DistributedApplicationOptions options)
    {
        Options = options;
        Configuration = new ConfigurationManager();
        Configuration.AddEnvironmentVariables();
        Configuration.AddCommandLine(options.Args);
        EnvironmentName = AppHostEnvironment.ResolveEnvironmentName(Configuration);

        // Same precedence as a .NET host: appsettings.json < appsettings.{env}.json < environment < command line.
        var json = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{EnvironmentName}.json", optional: true)
            .Build();
        Configuration.Sources.Insert(0, new ChainedConfigurationSource { Configuration = json, ShouldDisposeConfiguration = true });
        _repositoryRoot = new(() => options.RepositoryRoot is { } root ? Path.GetFullPath(root) : Hosting.RepositoryRoot.Find());
    }

    /// <summary>App host configuration: appsettings*.json, environment variables, command line; writable for tests.</summary>
    public ConfigurationManager Configuration { get; }

    /// <summary>DOTNET_ENVIRONMENT / ASPNETCORE_ENVIRONMENT of the app host (default Development), passed on to projects.</summary>
    public string EnvironmentName { get; }

    public DistributedApplicationOptions Options { get; }

    public IReadOnlyList<Resource> Resources => _resources;

    /// <summary>Folder containing Comms.sln.</summary>
    public string RepositoryRoot => _repositoryRoot.Value;

    /// <summary>Adds a resource (any <see cref="Resource"/> subclass, including custom ones).</summary>
    public IResourceBuilder<T> AddResource<T>(T resource)
        where T : Resource
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (_resources.Any(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new DistributedApplicationException($"A resource named '{resource.Name}' already exists.");
        }

        _resources.Add(resource);
        return new ResourceBuilder<T>(resource, this);
    }

    /// <summary>Validates the model (known dependencies, no wait cycles) and creates the application.</summary>
    public DistributedApplication Build()
    {
        if (_built)
        {
            throw new InvalidOperationException("Build() can only be called once.");
        }

        _built = true;
        ValidateModel();
        var output = Options.Output ?? OutputSink.Console;
        var ownsLoggerFactory = Options.LoggerFactory is null;
        var loggerFactory = Options.LoggerFactory ?? LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Information)
            .AddProvider(new SinkLoggerProvider(output)));
        var host = new AppHostEnvironment(Configuration, Options, loggerFactory, output, _resources.AsReadOnly());
        return new DistributedApplication(host, ownsLoggerFactory);
    }

    private void ValidateModel()
    {
        foreach (var resource in _resources)
        {
            var unknown = resource.Waits.Select(w => w.Resource)
                .Concat(resource is ProcessResource p ? p.References.OfType<Resource>() : [])
                .FirstOrDefault(d => !_resources.Contains(d));
            if (unknown is not null)
            {
                throw new DistributedApplicationException($"'{resource.Name}' depends on '{unknown.Name}', which was not added to this builder.");
            }
        }

        var state = new Dictionary<Resource, bool>(); // false: on the current path, true: done
        foreach (var resource in _resources)
        {
            Visit(resource, state, []);
        }
    }

    private static void Visit(Resource resource, Dictionary<Resource, bool> state, List<string> path)
    {
        if (state.TryGetValue(resource, out var done))
        {
            if (!done)
            {
                throw new DistributedApplicationException(
                    $"Wait cycle: {string.Join(" -> ", path.SkipWhile(n => n != resource.Name))} -> {resource.Name}");
            }

            return;
        }

        state[resource] = false;
        path.Add(resource.Name);
        foreach (var wait in resource.Waits)
        {
            Visit(wait.Resource, state, path);
        }

        path.RemoveAt(path.Count - 1);
        state[resource] = true;
    }
}
