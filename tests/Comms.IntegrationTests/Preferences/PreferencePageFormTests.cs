using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Unsubscribe;

namespace Comms.IntegrationTests.Preferences;

/// <summary>The preference center page over plain HTTP: a session is needed, and the form's post must carry its antiforgery token.</summary>
[Collection(CommsCollection.Name)]
public sealed partial class PreferencePageFormTests(CommsFixture fixture)
{
    private HttpClient Browser() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
    {
        BaseAddress = new Uri(fixture.Web.BaseUrl),
    };

    private static async Task SignInAsync(HttpClient browser, TestTenant tenant, string user)
    {
        var started = await browser.PostAsync("/session/start", new FormUrlEncodedContent([new("token", tenant.UserToken(user)), new("returnUrl", "/preferences")]));
        Assert.Equal(HttpStatusCode.SeeOther, started.StatusCode);
        Assert.Equal("/preferences", started.Headers.Location?.OriginalString);
    }

    private static List<KeyValuePair<string, string>> Fields(string html, bool antiforgery) =>
    [
        .. antiforgery ? [new("__RequestVerificationToken", Token().Match(html).Groups[1].Value)] : Array.Empty<KeyValuePair<string, string>>(),
        new("Form.Shown", "booking:email"), // shown, not in Form.On: unchecked
        new("Form.QuietStart", "21:00"), new("Form.QuietEnd", "08:00"), new("Form.TimeZone", "UTC"),
        new("Form.DmMuted", "sms"),
    ];

    [Fact]
    public async Task The_page_needs_a_session()
    {
        using var browser = Browser();

        var page = await browser.GetAsync("/preferences");

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/session/required", page.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused_and_with_it_is_stored()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        using var browser = Browser();
        await SignInAsync(browser, tenant, "ann");
        var html = await browser.GetStringAsync("/preferences");

        var forged = await browser.PostAsync("/preferences", new FormUrlEncodedContent(Fields(html, antiforgery: false)));
        var matrixAfterForged = await tenant.UserClient("ann").GetFromJsonAsync<JsonElement>("/me/notifications/preferences");
        var posted = await browser.PostAsync("/preferences", new FormUrlEncodedContent(Fields(html, antiforgery: true)));
        var matrix = await tenant.UserClient("ann").GetFromJsonAsync<JsonElement>("/me/notifications/preferences");

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.True(UnsubscribeSetup.EmailOn(matrixAfterForged, "booking"));
        Assert.False(matrixAfterForged.GetProperty("dmMuted").GetProperty("sms").GetBoolean());
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal("/preferences?saved=True", posted.Headers.Location?.OriginalString);
        Assert.False(UnsubscribeSetup.EmailOn(matrix, "booking"));
        Assert.True(matrix.GetProperty("dmMuted").GetProperty("sms").GetBoolean());
    }

    [Fact]
    public async Task Bad_values_are_400_with_the_apis_message_beside_the_field_and_nothing_is_stored()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "bea");
        using var browser = Browser();
        await SignInAsync(browser, tenant, "bea");
        var fields = Fields(await browser.GetStringAsync("/preferences"), antiforgery: true)
            .Select(f => f.Key == "Form.TimeZone" ? new KeyValuePair<string, string>(f.Key, "Atlantis/Capital") : f).ToList();

        var posted = await browser.PostAsync("/preferences", new FormUrlEncodedContent(fields));
        var html = await posted.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        Assert.Contains("Your preferences were not saved.", html, StringComparison.Ordinal);
        Assert.Contains("is not an IANA time zone", WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        var matrix = await tenant.UserClient("bea").GetFromJsonAsync<JsonElement>("/me/notifications/preferences");
        Assert.True(UnsubscribeSetup.EmailOn(matrix, "booking"));
        Assert.Equal("UTC", matrix.GetProperty("timeZone").GetString());
    }

    [Fact]
    public async Task A_user_the_product_has_not_registered_gets_a_404_page()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "cal");
        using var browser = Browser();
        await SignInAsync(browser, tenant, "nobody");

        var page = await browser.GetAsync("/preferences");

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Contains("You have no notification settings here yet", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [GeneratedRegex("""name="__RequestVerificationToken" type="hidden" value="([^"]+)"|value="([^"]+)" name="__RequestVerificationToken""")]
    private static partial Regex Token();
}
