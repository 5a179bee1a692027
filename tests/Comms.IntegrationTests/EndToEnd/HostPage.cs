using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Comms.IntegrationTests.EndToEnd;

/// <summary>
/// A host product's page on an origin of its own (a tiny Kestrel on 127.0.0.1, another port): the page the
/// embeddable inbox widget is put on.
/// </summary>
public sealed class HostPage : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HostPage(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public string Origin => new Uri(Url).GetLeftPart(UriPartial.Authority);

    public static async Task<HostPage> StartAsync(string html)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/", () => Results.Content(html, "text/html; charset=utf-8"));
        await app.StartAsync();
        var address = app.Urls.First().Replace("localhost", "127.0.0.1", StringComparison.Ordinal);
        return new HostPage(app, address.TrimEnd('/') + "/");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
