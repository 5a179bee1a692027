extern alias web;

using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Comms.IntegrationTests.Infrastructure;

/// <summary>Comms.Web on a real Kestrel port, so a real browser (Chromium through Playwright) can open it.</summary>
public sealed class WebServer : ServiceFactory<web::Program>
{
    public WebServer(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null) : base(settings, configureServices)
    {
        UseKestrel(0);
    }

    public string BaseUrl { get; private set; } = "";

    public void Start()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    }
}
