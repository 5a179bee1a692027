extern alias api;

using Comms.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Comms.IntegrationTests.EndToEnd;

/// <summary>
/// The API reference in a real browser: titled "Comms API", with the introduction, and working offline — it loads
/// nothing from other hosts (no CDN fonts, no telemetry) and shows no link that leads outside.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ApiReferenceTests(CommsFixture fixture)
{
    [Fact]
    public async Task Scalar_shows_the_comms_reference_and_reaches_no_other_host()
    {
        await using var server = new ServiceFactory<api::Program>(fixture.Settings);
        server.UseKestrel(0);
        server.StartServer();
        var address = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            .Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync();
        var elsewhere = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(address, StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal)
                && !request.Url.StartsWith("blob:", StringComparison.Ordinal))
            {
                elsewhere.Add(request.Url);
            }
        };

        await page.GotoAsync(address + "/scalar");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Comms API", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Idempotency" })).ToBeVisibleAsync();
        var outside = await page.EvalOnSelectorAllAsync<string[]>("a[href]",
            "(links, origin) => links.filter(a => a.offsetParent !== null && a.href.startsWith('http') && !a.href.startsWith(origin)).map(a => a.href)",
            address);

        Assert.Empty(elsewhere);
        Assert.Empty(outside);
    }
}
