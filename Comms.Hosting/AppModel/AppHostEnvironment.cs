using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Comms.Hosting;

/// <summary>Shared, lazily resolved facts about the app host (configuration, paths, logging).</summary>
internal sealed class AppHostEnvironment
{
    private readonly Lazy<string> _repositoryRoot;
    private readonly Lazy<string> _dataDirectory;

    public AppHostEnvironment(
        IConfiguration configuration, DistributedApplicationOptions options, ILoggerFactory loggerFactory, OutputSink output, IReadOnlyList<Resource> resources)
    {
        Configuration = configuration;
        Options = options;
        LoggerFactory = loggerFactory;
        Output = output;
        Resources = resources;
        EnvironmentName = ResolveEnvironmentName(configuration);
        BuildConfiguration = configuration[$"{ConfigurationSection}:Configuration"]
            ?? Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration
            ?? "Debug";
        _repositoryRoot = new(() => options.RepositoryRoot is { } root ? Path.GetFullPath(root) : Hosting.RepositoryRoot.Find());
        _dataDirectory = new(() => configuration[$"{ConfigurationSection}:DataDirectory"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, RepositoryRoot)
            : Path.Combine(RepositoryRoot, ".comms"));
    }

    public IConfiguration Configuration { get; }

    public DistributedApplicationOptions Options { get; }

    public string ConfigurationSection => Options.ConfigurationSection;

    public ILoggerFactory LoggerFactory { get; }

    public OutputSink Output { get; }

    public IReadOnlyList<Resource> Resources { get; }

    public string EnvironmentName { get; }

    public string BuildConfiguration { get; }

    public string RepositoryRoot => _repositoryRoot.Value;

    public string DataDirectory => _dataDirectory.Value;

    public static string ResolveEnvironmentName(IConfiguration configuration) =>
        new[] { "environment", "DOTNET_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT" }
            .Select(key => configuration[key])
            .FirstOrDefault(value => !string.IsNullOrWhiteSpace(value))
        ?? "Development";
}
