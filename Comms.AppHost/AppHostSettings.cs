using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace Comms.AppHost;

/// <summary>
/// <c>Comms:AppHost</c>: where the local servers keep their data (default <c>.comms/</c> beside the solution),
/// the fixed local ports that the README's links use (0 = any free port, as the tests ask), and how many
/// dispatcher replicas run.
/// </summary>
public sealed class AppHostSettings
{
    /// <summary>The ports the README's links use; <c>Comms:AppHost:Ports:{name}</c> overrides each.</summary>
    private static readonly Dictionary<string, int> DefaultPorts = new()
    {
        ["postgres"] = 55432, ["redis"] = 56379, ["mail_smtp"] = 1025, ["mail_http"] = 1080,
        ["api"] = 5080, ["web"] = 5081, ["dispatcher"] = 5082,
    };

    private readonly IConfiguration _configuration;
    private readonly Dictionary<string, int> _ports = [];

    private AppHostSettings(IConfiguration configuration, string dataDirectory)
    {
        _configuration = configuration;
        DataDirectory = dataDirectory;
    }

    /// <summary>The folder of PostgreSQL's cluster, Redis and MailDev's mail (git-ignored).</summary>
    public string DataDirectory { get; }

    public string RepositoryRoot { get; private init; } = "";

    public int DispatcherReplicas => _configuration.GetValue("Comms:AppHost:DispatcherReplicas", 2);

    public static AppHostSettings From(IDistributedApplicationBuilder builder)
    {
        var root = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var configured = builder.Configuration["Comms:AppHost:DataDirectory"];
        var data = string.IsNullOrWhiteSpace(configured) ? Path.Combine(root, ".comms") : Path.GetFullPath(configured, root);
        Directory.CreateDirectory(data);
        return new AppHostSettings(builder.Configuration, data) { RepositoryRoot = root };
    }

    /// <summary>The configured port of <paramref name="name"/>, or a free one when it is 0 (chosen once per run).</summary>
    public int Port(string name)
    {
        if (_ports.TryGetValue(name, out var port))
        {
            return port;
        }

        port = _configuration.GetValue($"Comms:AppHost:Ports:{name}", DefaultPorts.GetValueOrDefault(name));
        if (port == 0)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        return _ports[name] = port;
    }

    /// <summary>
    /// Whether the Aspire dashboard runs (default yes): <c>Comms:AppHost:Dashboard</c> = false, from the environment
    /// (<c>Comms__AppHost__Dashboard</c>) or the command line, turns it off. Read before the builder exists, because
    /// Aspire takes the choice as a builder option.
    /// </summary>
    public static bool DashboardEnabled(string[] args)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
        return configuration.GetValue("Comms:AppHost:Dashboard", true);
    }

    /// <summary>The dashboard's address when it is on (<c>ASPNETCORE_URLS</c> of the app host), for the banner.</summary>
    public string? DashboardUrl =>
        _configuration["ASPNETCORE_URLS"]?.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();

    /// <summary>An external server's connection string (<c>ConnectionStrings:{name}</c>) that replaces a local one.</summary>
    public bool HasExternal(string name) => !string.IsNullOrWhiteSpace(_configuration.GetConnectionString(name));

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
