using System.Net;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.EndToEnd;

/// <summary>The Web's home page tells a newcomer what to do next, with this deployment's addresses.</summary>
[Collection(CommsCollection.Name)]
public sealed class HomePageTests(CommsFixture fixture)
{
    [Fact]
    public async Task The_home_page_shows_the_first_steps_and_links_to_the_mail_catcher_the_api_reference_and_the_dashboard()
    {
        await using var web = new WebServer(fixture.Settings.Concat(new Dictionary<string, string?>
        {
            ["services:api:http:0"] = "http://localhost:5080",
            ["Comms:Links:MailDev"] = "http://localhost:1080",
            ["Comms:Links:Dashboard"] = "http://127.0.0.1:18888",
        }).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value));
        web.Start();
        using var http = new HttpClient();

        var response = await http.GetAsync(web.BaseUrl + "/");
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("href=\"/dev/sign-in\"", html, StringComparison.Ordinal);
        Assert.Contains("curl -i -X POST http://127.0.0.1:5080/v1/events", html, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"demo.welcome\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"http://127.0.0.1:5080/scalar\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"http://127.0.0.1:1080\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"http://127.0.0.1:18888\"", html, StringComparison.Ordinal);
    }
}
