using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Comms.Core.Messages;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Unsubscribe;

/// <summary>An email as MailDev caught it, with its raw source (for the headers MailDev's JSON leaves out).</summary>
internal sealed record SentEmail(CaughtEmail Email, string Source)
{
    public string? Text => Email.Text;
    public string? Html => Email.Html;

    public string? Header(string name) => MailDevClient.RawHeader(Source, name);
}

/// <summary>A tenant whose <c>notice</c> event sends an email that shows <c>unsubscribe_url</c>, and what the tests read back.</summary>
internal static partial class UnsubscribeSetup
{
    public static readonly TemplateContent EmailTemplate = new()
    {
        Subject = "{{ title }}",
        Text = "{{ title }}. Unsubscribe: [{{ unsubscribe_url }}]",
        Html = "<p>{{ title }}</p>{% if unsubscribe_url != empty %}<p><a href=\"{{ unsubscribe_url }}\">Unsubscribe</a></p>{% endif %}",
    };

    /// <summary>A tenant with user <paramref name="user"/> and a <c>notice</c> rule of <paramref name="category"/> on email.</summary>
    public static async Task<TestTenant> TenantAsync(CommsFixture fixture, string user, string category = "promotions")
    {
        var tenant = await TestTenant.CreateAsync(fixture, user);
        await tenant.AddTemplateAsync("notice", Channel.Email, EmailTemplate);
        await tenant.SetRuleAsync("notice", new { templateName = "notice", category, channels = new[] { "email" } });
        if (category == "promotions")
        {
            // Promotions are off by email by default: the user opted in.
            await SetEmailAsync(tenant, user, category, true);
        }

        return tenant;
    }

    public static async Task<SentEmail> SendAsync(CommsFixture fixture, TestTenant tenant, string user, string title, string? category = null)
    {
        await tenant.PostEventAsync(new { name = "notice", recipients = new[] { user }, causeRef = "u:" + title, category, payload = new { title } });
        var email = await Poll.UntilAsync(async () => (await fixture.Mailbox.ToAsync(tenant.EmailOf(user))).FirstOrDefault(e => e.Subject == title),
            $"the email '{title}'");
        return new SentEmail(email, await fixture.Mailbox.SourceAsync(email.Id));
    }

    /// <summary>The https (here: http on loopback) link of a <c>List-Unsubscribe</c> header.</summary>
    public static string LinkOf(string listUnsubscribe) => HttpLink().Match(listUnsubscribe) is { Success: true } m
        ? m.Groups[1].Value
        : throw new InvalidOperationException($"No http link in '{listUnsubscribe}'.");

    /// <summary>The recipient's preference matrix through the API (what routing uses).</summary>
    public static async Task<JsonElement> MatrixAsync(TestTenant tenant, string user) =>
        await tenant.ApiClient().GetFromJsonAsync<JsonElement>($"/v1/recipients/{user}/preferences");

    public static bool EmailOn(JsonElement matrix, string category) =>
        matrix.GetProperty("categories").EnumerateArray().Single(r => r.GetProperty("category").GetString() == category)
            .GetProperty("channels").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == "email").GetProperty("enabled").GetBoolean();

    /// <summary>Every category the user gets by email, in order: a fingerprint of the stored state.</summary>
    public static async Task<string> EmailCategoriesAsync(TestTenant tenant, string user) => string.Join(",",
        (await MatrixAsync(tenant, user)).GetProperty("categories").EnumerateArray()
            .Where(r => r.GetProperty("channels").EnumerateArray().Any(c => c.GetProperty("channel").GetString() == "email" && c.GetProperty("enabled").GetBoolean()))
            .Select(r => r.GetProperty("category").GetString()));

    public static async Task SetEmailAsync(TestTenant tenant, string user, string category, bool enabled)
    {
        var response = await tenant.ApiClient().PutAsJsonAsync($"/v1/recipients/{user}/preferences",
            new { preferences = new[] { new { category, channel = "email", enabled } } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>A mail provider's one-click POST: no cookies, no redirects followed, the RFC 8058 body.</summary>
    public static async Task<HttpResponseMessage> OneClickAsync(string link, HttpContent? body = null)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        return await client.PostAsync(link, body ?? new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
    }

    [GeneratedRegex("<(https?://[^>]+/unsubscribe/[^>]+)>")]
    private static partial Regex HttpLink();
}
