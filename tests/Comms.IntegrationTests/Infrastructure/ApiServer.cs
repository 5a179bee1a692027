extern alias api;

using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Comms.IntegrationTests.Infrastructure;

/// <summary>Comms.Api on a real Kestrel port, so a real browser (the inbox widget on a host page) can call it.</summary>
public sealed class ApiServer : ServiceFactory<api::Program>
{
    public ApiServer(IReadOnlyDictionary<string, string?> settings) : base(settings)
    {
        UseKestrel(0);
    }

    public string BaseUrl { get; private set; } = "";

    public static ApiServer Start(IReadOnlyDictionary<string, string?> settings)
    {
        var server = new ApiServer(settings);
        server.StartServer();
        var addresses = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        server.BaseUrl = addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal)
            .Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        return server;
    }
}
