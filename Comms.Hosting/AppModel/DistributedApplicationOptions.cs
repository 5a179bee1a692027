using Microsoft.Extensions.Logging;

namespace Comms.Hosting;

/// <summary>Options for <see cref="DistributedApplication.CreateBuilder(DistributedApplicationOptions)"/>.</summary>
public sealed record DistributedApplicationOptions
{
    /// <summary>Command-line arguments (read as configuration, e.g. <c>--Comms:AppHost:Ports:api=6000</c>).</summary>
    public string[] Args { get; init; } = [];

    /// <summary>Used in the "… is running" line.</summary>
    public string ApplicationName { get; init; } = "Comms";

    /// <summary>Configuration section for ports and the data directory.</summary>
    public string ConfigurationSection { get; init; } = "Comms:AppHost";

    /// <summary>Repository root; null: the folder containing Comms.sln above the app's base directory.</summary>
    public string? RepositoryRoot { get; init; }

    /// <summary>Where prefixed output goes; null: the console.</summary>
    public OutputSink? Output { get; init; }

    /// <summary>Logger factory for lifecycle and child output; null: a console factory writing through <see cref="Output"/>.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
