using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Comms.Hosting;

/// <summary>What a resource sees of the app host while it is prepared, started and stopped.</summary>
public sealed class ResourceContext
{
    private readonly AppHostEnvironment _host;

    internal ResourceContext(AppHostEnvironment host, Resource resource)
    {
        _host = host;
        Logger = host.LoggerFactory.CreateLogger(resource.Name);
    }

    /// <summary>Logger whose category is the resource name; child output lines are written here.</summary>
    public ILogger Logger { get; }

    public IConfiguration Configuration => _host.Configuration;

    /// <summary>Environment of the app host (DOTNET_ENVIRONMENT / ASPNETCORE_ENVIRONMENT, default Development).</summary>
    public string EnvironmentName => _host.EnvironmentName;

    /// <summary>Build configuration used to locate project outputs (the app host's own, default Debug).</summary>
    public string BuildConfiguration => _host.BuildConfiguration;

    /// <summary>Folder containing Comms.sln.</summary>
    public string RepositoryRoot => _host.RepositoryRoot;

    /// <summary>Where servers keep their data (<c>Comms:AppHost:DataDirectory</c>, default <c>&lt;repo&gt;/.comms</c>).</summary>
    public string DataDirectory => _host.DataDirectory;

    /// <summary>All resources of the application.</summary>
    public IReadOnlyList<Resource> Resources => _host.Resources;

    /// <summary>
    /// Port for <paramref name="key"/>: configuration <c>Comms:AppHost:Ports:&lt;key&gt;</c> (or with '-' written as '_',
    /// since shells cannot export variable names containing '-'), else <paramref name="requested"/>, else a free port.
    /// </summary>
    public int ResolvePort(string key, int? requested)
    {
        var configured = _host.Configuration[$"{_host.ConfigurationSection}:Ports:{key}"]
            ?? _host.Configuration[$"{_host.ConfigurationSection}:Ports:{key.Replace('-', '_')}"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return int.TryParse(configured, NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
                ? port
                : throw new DistributedApplicationException(
                    $"Configuration {_host.ConfigurationSection}:Ports:{key} = '{configured}' is not a valid port.");
        }

        return requested is > 0 ? requested.Value : PortAllocator.GetFreeTcpPort();
    }

    /// <summary>Resources that wait for or reference <paramref name="resource"/>.</summary>
    public IEnumerable<Resource> GetDependents(Resource resource) =>
        _host.Resources.Where(r => r.Waits.Any(w => w.Resource == resource)
                                   || (r is ProcessResource p && p.References.Contains(resource)));
}
