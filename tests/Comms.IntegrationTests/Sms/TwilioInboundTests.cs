extern alias api;

using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using api::Comms.Api.Sms;
using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Sms;

/// <summary><c>POST /webhooks/twilio/inbound</c>: signed STOP / START / HELP keywords from recipients' phones.</summary>
[Collection(CommsCollection.Name)]
public sealed class TwilioInboundTests(CommsFixture fixture)
{
    private const string Path = "/webhooks/twilio/inbound";

    /// <summary>Twilio's signature, computed here independently of the library: base64 HMAC-SHA1 of URL + sorted name+value.</summary>
    private static string Sign(string url, IEnumerable<KeyValuePair<string, string>> form, string token = SmsWorld.AuthToken)
    {
        var data = new StringBuilder(url);
        foreach (var (name, value) in form.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            data.Append(name).Append(value);
        }

        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(data.ToString())));
    }

    private static Dictionary<string, string> Inbound(string from, string body) => new()
    {
        ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"), ["SmsSid"] = "SMx", ["AccountSid"] = SmsWorld.AccountSid,
        ["From"] = from, ["To"] = SmsWorld.From, ["Body"] = body, ["NumMedia"] = "0", ["FromCountry"] = "US",
    };

    private async Task<HttpResponseMessage> PostAsync(Dictionary<string, string> form, string? query = null, string? signature = null, bool sign = true)
    {
        var client = fixture.Api.CreateClient();
        var pathAndQuery = Path + query;
        using var request = new HttpRequestMessage(HttpMethod.Post, pathAndQuery) { Content = new FormUrlEncodedContent(form) };
        if (sign)
        {
            request.Headers.Add("X-Twilio-Signature", signature ?? Sign(new Uri(client.BaseAddress!, pathAndQuery).ToString(), form));
        }

        return await client.SendAsync(request);
    }

    private async Task<(List<Preference> Preferences, List<Suppression> Suppressions)> ConsentOfAsync(TestTenant tenant)
    {
        await using var db = fixture.CreateDbContext();
        return (await db.Preferences.AsNoTracking().Where(p => p.TenantId == tenant.Id && p.Channel == Channel.Sms).ToListAsync(),
            await db.Suppressions.AsNoTracking().Where(s => s.TenantId == tenant.Id && s.Channel == Channel.Sms).ToListAsync());
    }

    private static string UniquePhone() => "+1555" + Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void The_signature_check_accepts_the_PROVIDERS_md_test_vector_and_nothing_else()
    {
        var validator = new Twilio.Security.RequestValidator("12345");
        var parameters = new Dictionary<string, string>
        {
            ["CallSid"] = "CA1234567890ABCDE", ["Caller"] = "+12349013030", ["Digits"] = "1234", ["From"] = "+12349013030", ["To"] = "+18005551212",
        };
        const string Url = "https://mycompany.com/myapp.php?foo=1&bar=2";

        Assert.True(validator.Validate(Url, parameters, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
        Assert.Equal("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", Sign(Url, parameters, "12345"));
        Assert.False(validator.Validate(Url, parameters, "0/KCTR6DLpKmkAf8muzZqo1nDgQ"));
        Assert.False(validator.Validate(Url, new Dictionary<string, string>(parameters) { ["Digits"] = "1235" }, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
        Assert.False(new Twilio.Security.RequestValidator("54321").Validate(Url, parameters, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
    }

    [Theory]
    [InlineData("STOP", SmsKeyword.Stop)]
    [InlineData("  stop\n", SmsKeyword.Stop)]
    [InlineData("Unsubscribe", SmsKeyword.Stop)]
    [InlineData("stopall", SmsKeyword.Stop)]
    [InlineData("cancel", SmsKeyword.Stop)]
    [InlineData("END", SmsKeyword.Stop)]
    [InlineData("quit", SmsKeyword.Stop)]
    [InlineData("Start", SmsKeyword.Start)]
    [InlineData("unstop", SmsKeyword.Start)]
    [InlineData("yes", SmsKeyword.Start)]
    [InlineData("help", SmsKeyword.Help)]
    [InlineData("INFO", SmsKeyword.Help)]
    [InlineData("please stop", SmsKeyword.None)]
    [InlineData("", SmsKeyword.None)]
    [InlineData(null, SmsKeyword.None)]
    public void Keywords_are_the_whole_message_trimmed_in_any_case(string? body, SmsKeyword keyword) =>
        Assert.Equal(keyword, SmsKeywords.Parse(body));

    [Fact]
    public async Task Stop_turns_sms_off_for_every_category_and_suppresses_the_phone_in_every_tenant_and_start_turns_it_back_on()
    {
        var phone = UniquePhone();
        var first = await TestTenant.CreateAsync(fixture);
        var second = await TestTenant.CreateAsync(fixture);
        await first.AddRecipientAsync("ann", r => r.Phone = phone);
        await second.AddRecipientAsync("ann2", r => r.Phone = phone);
        await first.AddRecipientAsync("other", r => r.Phone = UniquePhone());

        var stop = await PostAsync(Inbound(phone, " Stop "));

        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        Assert.StartsWith("text/xml", stop.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("<Response/>", await stop.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        foreach (var tenant in new[] { first, second })
        {
            var (preferences, suppressions) = await ConsentOfAsync(tenant);
            Assert.Equal(Categories.BuiltIn.Keys.Order(StringComparer.Ordinal), preferences.Select(p => p.Category).Order(StringComparer.Ordinal));
            Assert.All(preferences, p => Assert.False(p.Enabled));
            Assert.Equal((Suppression.Hash(phone), "sms_stop"), Assert.Single(suppressions).Let(s => (s.AddressHash, s.Reason)));
        }

        var start = await PostAsync(Inbound(phone, "START"));

        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        var (after, lifted) = await ConsentOfAsync(first);
        Assert.Empty(lifted);
        Assert.Empty((await ConsentOfAsync(second)).Suppressions);
        // Back on for what the tenant may send by SMS (security by default); the rest stays off until the user opts in.
        Assert.Equal([(Categories.Security, true)], after.Where(p => p.Enabled).Select(p => (p.Category, p.Enabled)));
    }

    [Fact]
    public async Task A_tenant_in_the_webhook_url_limits_stop_to_that_tenant()
    {
        var phone = UniquePhone();
        var first = await TestTenant.CreateAsync(fixture);
        var second = await TestTenant.CreateAsync(fixture);
        await first.AddRecipientAsync("ann", r => r.Phone = phone);
        await second.AddRecipientAsync("ann", r => r.Phone = phone);

        var stop = await PostAsync(Inbound(phone, "STOP"), query: $"?tenant={first.Id}");

        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        Assert.Single((await ConsentOfAsync(first)).Suppressions);
        Assert.Equal((0, 0), (await ConsentOfAsync(second)).Let(c => (c.Preferences.Count, c.Suppressions.Count)));
    }

    [Fact]
    public async Task Help_is_answered_with_twiml_and_changes_nothing()
    {
        var phone = UniquePhone();
        var tenant = await TestTenant.CreateAsync(fixture);
        await tenant.AddRecipientAsync("ann", r => r.Phone = phone);

        var help = await PostAsync(Inbound(phone, "help"));
        var other = await PostAsync(Inbound(phone, "thanks!"));

        Assert.Equal(HttpStatusCode.OK, help.StatusCode);
        Assert.StartsWith("text/xml", help.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.Equal(
            """<?xml version="1.0" encoding="UTF-8"?><Response><Message>Notifications by SMS. Reply STOP to unsubscribe, START to subscribe again. Msg &amp; data rates may apply.</Message></Response>""",
            await help.Content.ReadAsStringAsync());
        Assert.EndsWith("<Response/>", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((0, 0), (await ConsentOfAsync(tenant)).Let(c => (c.Preferences.Count, c.Suppressions.Count)));
    }

    [Fact]
    public async Task An_unsigned_or_mis_signed_webhook_is_401_and_changes_nothing()
    {
        var phone = UniquePhone();
        var tenant = await TestTenant.CreateAsync(fixture);
        await tenant.AddRecipientAsync("ann", r => r.Phone = phone);
        var form = Inbound(phone, "STOP");

        var unsigned = await PostAsync(form, sign: false);
        var wrongKey = await PostAsync(form, signature: Sign("http://localhost" + Path, form, "not-the-token"));
        var otherUrl = await PostAsync(form, signature: Sign("http://localhost" + Path + "?tenant=x", form));
        var tampered = await PostAsync(new Dictionary<string, string>(form) { ["Body"] = "STOP" }.Let(f => { f["From"] = UniquePhone(); return f; }),
            signature: Sign("http://localhost" + Path, form));

        foreach (var response in new[] { unsigned, wrongKey, otherUrl, tampered })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("COMMS_UNAUTHORIZED", problem.GetProperty("type").GetString());
        }

        Assert.Equal((0, 0), (await ConsentOfAsync(tenant)).Let(c => (c.Preferences.Count, c.Suppressions.Count)));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(form)).StatusCode);
        Assert.Single((await ConsentOfAsync(tenant)).Suppressions);
    }

    [Fact]
    public async Task A_body_that_is_not_a_form_is_a_415_problem()
    {
        using var client = fixture.Api.CreateClient();
        var response = await client.PostAsJsonAsync(Path, new { From = "+15550100", Body = "STOP" });
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("COMMS_UNSUPPORTED_MEDIA_TYPE", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
    }

    [Fact]
    public void The_signed_url_is_the_public_api_url_when_one_is_configured()
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Request.Host = new("10.0.0.5:8080");
        context.Request.Path = Path;
        context.Request.QueryString = new("?tenant=acme");
        Assert.Equal("http://10.0.0.5:8080/webhooks/twilio/inbound?tenant=acme", TwilioSignature.UrlOf(context.Request, null));
        Assert.Equal("https://api.example.com/webhooks/twilio/inbound?tenant=acme", TwilioSignature.UrlOf(context.Request, "https://api.example.com/"));
    }
}

internal static class LetExtensions
{
    public static TResult Let<T, TResult>(this T value, Func<T, TResult> map) => map(value);
}
