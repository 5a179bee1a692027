using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Auth;

/// <summary>Comms.Web sessions start with a POSTed token (never a token in a URL), through the shared validator.</summary>
[Collection(CommsCollection.Name)]
public sealed class WebSessionTests(CommsFixture fixture)
{
    private HttpClient Browser() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
    {
        BaseAddress = new Uri(fixture.Web.BaseUrl),
    };

    private static Task<HttpResponseMessage> StartAsync(HttpClient browser, string token, params (string, string)[] extra) =>
        browser.PostAsync("/session/start", new FormUrlEncodedContent([new("token", token), .. extra.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2))]));

    [Fact]
    public async Task A_posted_token_starts_a_session_and_lands_on_the_notification_center_with_303()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        using var browser = Browser();

        var started = await StartAsync(browser, tenant.UserToken("alice"));
        var center = await browser.GetAsync("/notifications");

        Assert.Equal(HttpStatusCode.SeeOther, started.StatusCode);
        Assert.Equal("/notifications", started.Headers.Location?.OriginalString);
        var cookie = Assert.Single(started.Headers.GetValues("Set-Cookie"), c => c.StartsWith("comms.user=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, center.StatusCode);
        Assert.Contains("data-testid=\"signed-in-user\">alice<", await center.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_in_the_url_signs_nobody_in()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        using var browser = Browser();

        var page = await browser.GetAsync($"/session/start?token={tenant.UserToken("alice")}");
        var center = await browser.GetAsync("/notifications");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.False(page.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("comms.user=", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Redirect, center.StatusCode);
        Assert.StartsWith("/session/required", center.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_or_missing_tokens_are_refused_with_problem_details()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        using var browser = Browser();
        var claims = Tokens.Claims(tenant.Id);
        claims.Remove("sub");

        var invalid = await StartAsync(browser, Tokens.Hs256(tenant.SigningSecret, TestTenant.SigningKeyId, claims));
        var unknownTenant = await StartAsync(browser, Tokens.Hs256(tenant.SigningSecret, TestTenant.SigningKeyId, Tokens.Claims("nope-" + tenant.Id)));
        var missing = await browser.PostAsync("/session/start", new FormUrlEncodedContent([]));

        Assert.Contains("no 'sub'", await Tokens.AssertUnauthorizedAsync(invalid), StringComparison.Ordinal);
        Assert.Contains("does not exist", await Tokens.AssertUnauthorizedAsync(unknownTenant), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("COMMS_VALIDATION", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Another_users_token_does_not_replace_a_session_without_a_same_origin_confirmation()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice", "mallory");
        using var browser = Browser();
        await StartAsync(browser, tenant.UserToken("alice"));

        var other = await StartAsync(browser, tenant.UserToken("mallory"), ("confirm", "true"));
        var center = await browser.GetStringAsync("/notifications");

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Contains("Switch user?", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("data-testid=\"signed-in-user\">alice<", center, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hub_negotiation_refuses_bad_tokens_with_401_problem_details()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        using var browser = Browser();
        var expired = Tokens.Claims(tenant.Id);
        expired["exp"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds();

        var bad = await browser.PostAsync($"/hubs/notifications/negotiate?negotiateVersion=1&access_token={Tokens.Hs256(tenant.SigningSecret, TestTenant.SigningKeyId, expired)}", null);
        var none = await browser.PostAsync("/hubs/notifications/negotiate?negotiateVersion=1", null);
        var good = await browser.PostAsync($"/hubs/notifications/negotiate?negotiateVersion=1&access_token={tenant.UserToken("alice")}", null);

        Assert.Contains("expired", await Tokens.AssertUnauthorizedAsync(bad), StringComparison.Ordinal);
        await Tokens.AssertUnauthorizedAsync(none);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }
}
