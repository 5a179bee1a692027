using System.Net;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Recipients;

namespace Comms.IntegrationTests.Realtime;

/// <summary>The Web's session start is limited per client address, the hub per user (over real Kestrel).</summary>
[Collection(CommsCollection.Name)]
public sealed class WebRateLimitTests(CommsFixture fixture)
{
    private WebServer LimitedWeb(Dictionary<string, string?> limits)
    {
        var settings = fixture.Settings
            .Concat([KeyValuePair.Create<string, string?>("Comms:RateLimits:KeyPrefix", "it-rl-web-" + Guid.NewGuid().ToString("N")[..8])])
            .Concat(limits.Select(l => KeyValuePair.Create("Comms:RateLimits:" + l.Key, l.Value)))
            .GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value);
        var web = new WebServer(settings);
        web.Start();
        return web;
    }

    [Fact]
    public async Task Session_starts_are_limited_per_client_address()
    {
        await using var web = LimitedWeb(new() { ["SignIn:PermitLimit"] = "2" });
        using var http = new HttpClient { BaseAddress = new Uri(web.BaseUrl) };

        Task<HttpResponseMessage> StartSession() =>
            http.PostAsync("/session/start", new FormUrlEncodedContent([new("token", "not-a-token")]));

        Assert.Equal(HttpStatusCode.Unauthorized, (await StartSession()).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await StartSession()).StatusCode);
        var limited = await StartSession();

        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, "COMMS_RATE_LIMITED");
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task Hub_negotiation_is_limited_per_user()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann", "bob");
        await using var web = LimitedWeb(new() { ["User:PermitLimit"] = "2" });
        using var http = new HttpClient { BaseAddress = new Uri(web.BaseUrl) };
        Task<HttpResponseMessage> Negotiate(string user) =>
            http.PostAsync($"/hubs/notifications/negotiate?negotiateVersion=1&access_token={fixture.UserToken(tenant.Id, user)}", null);

        Assert.Equal(HttpStatusCode.OK, (await Negotiate("ann")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Negotiate("ann")).StatusCode);
        var limited = await Negotiate("ann");

        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, "COMMS_RATE_LIMITED");
        Assert.Equal(HttpStatusCode.OK, (await Negotiate("bob")).StatusCode);
    }
}
