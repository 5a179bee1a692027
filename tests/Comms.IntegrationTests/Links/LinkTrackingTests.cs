using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Comms.Core.Links;
using Comms.Core.Messages;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Links;

/// <summary>
/// Link tracking (SPEC S11) end to end: links of emails (through MailDev) and in-app items become <c>/r/{token}</c>;
/// following one records a click and answers 302 to the exact target; forged or altered tokens get a 4xx and no
/// Location; DNT/GPC are honoured; sensitive categories and a tenant that turned tracking off keep their links;
/// marketing templates get UTM parameters; a message's details count the clicks.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class LinkTrackingTests(CommsFixture fixture)
{
    private const string Event = "offer.sent";
    private const string Target = "https://shop.example/p/42?a=1&b=%20c&x=y#details";

    private static readonly TemplateContent Email = new()
    {
        Subject = "{{ title }}",
        Text = "Open {{ url }}",
        Html = """
            <p>{{ title }}</p>
            <p><a href="{{ url }}">Open</a> <a href="https://shop.example/second">Second</a></p>
            <p><a href="mailto:help@shop.example">Mail us</a> <a href="#top">Top</a>
            {% if unsubscribe_url != empty %}<a href="{{ unsubscribe_url }}">Unsubscribe</a>{% endif %}</p>
            """,
    };

    private static readonly TemplateContent InApp = new()
    {
        Title = "{{ title }}", Body = "See [the offer](https://shop.example/in-body).", Link = "{{ url }}",
    };

    private async Task<TestTenant> TenantAsync(string category = "booking")
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        await using (var db = fixture.CreateDbContext())
        {
            // mailto: links are a scheme the tenant allows (LinkPolicy); they are never tracked.
            await db.Tenants.Where(t => t.Id == tenant.Id).ExecuteUpdateAsync(t => t.SetProperty(x => x.AllowedLinkSchemes, ["mailto"]));
        }

        await tenant.AddTemplateAsync(Event, Channel.Email, Email);
        await tenant.AddTemplateAsync(Event, Channel.InApp, InApp);
        await tenant.SetRuleAsync(Event, new { templateName = Event, category, channels = new[] { "email", "in_app" } });
        return tenant;
    }

    private async Task<(CaughtEmail Email, Guid MessageId)> SendEmailAsync(TestTenant tenant, string title, string url = Target)
    {
        var eventId = await tenant.PostEventAsync(new { name = Event, recipients = new[] { "ann" }, causeRef = "o:" + title, payload = new { title, url } });
        Assert.Contains((Channel.Email, DecisionOutcome.Queued), (await tenant.DecisionsAsync(eventId)).Select(d => (d.Channel, d.Outcome)));
        var email = await Poll.UntilAsync(async () => (await fixture.Mailbox.ToAsync(tenant.EmailOf("ann"))).FirstOrDefault(e => e.Subject == title),
            $"the email '{title}'");
        await using var db = fixture.CreateDbContext();
        var id = await db.Messages.Where(m => m.TenantId == tenant.Id && m.Channel == Channel.Email && m.CauseRef == "o:" + title)
            .Select(m => m.Id).SingleAsync();
        return (email, id);
    }

    private static List<string> Hrefs(string? html)
    {
        using var document = new HtmlParser().ParseDocument(html ?? "");
        return [.. document.QuerySelectorAll("a[href]").Select(a => a.GetAttribute("href")!)];
    }

    private string TrackedPrefix => fixture.Web.BaseUrl.TrimEnd('/') + LinkTracking.PathPrefix;

    private static HttpClient Browser() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });

    private async Task<int> ClicksAsync(Guid messageId)
    {
        await using var db = fixture.CreateDbContext();
        return await db.LinkClicks.CountAsync(c => c.MessageId == messageId);
    }

    [Fact]
    public async Task An_emails_links_are_tracked_and_following_one_records_a_click_and_redirects_to_the_exact_target()
    {
        var tenant = await TenantAsync();
        var (email, messageId) = await SendEmailAsync(tenant, "Tracked offer");

        var hrefs = Hrefs(email.Html);
        Assert.StartsWith(TrackedPrefix, hrefs[0], StringComparison.Ordinal);
        Assert.StartsWith(TrackedPrefix, hrefs[1], StringComparison.Ordinal);
        Assert.Equal(["mailto:help@shop.example", "#top"], hrefs[2..4]);
        Assert.Contains("/unsubscribe/", hrefs[4], StringComparison.Ordinal);
        Assert.Equal("Open " + Target, email.Text?.Trim());
        // What was sent is what was recorded.
        await using (var db = fixture.CreateDbContext())
        {
            var render = await db.MessageRenders.AsNoTracking().SingleAsync(r => r.MessageId == messageId);
            Assert.Equal(hrefs, Hrefs(render.Content.Html));
        }

        using var browser = Browser();
        using var response = await browser.GetAsync(hrefs[0]);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(Target, response.Headers.Location?.OriginalString);
        await using (var db = fixture.CreateDbContext())
        {
            var click = await db.LinkClicks.AsNoTracking().SingleAsync(c => c.MessageId == messageId);
            Assert.Equal((tenant.Id, 0), (click.TenantId, click.LinkIndex));
        }

        // The message's details count the clicks, per link.
        using (await browser.GetAsync(hrefs[0]))
        using (await browser.GetAsync(hrefs[1]))
        {
        }

        var details = await tenant.ApiClient().GetFromJsonAsync<JsonElement>($"/v1/messages/{messageId}");
        var clicks = details.GetProperty("clicks");
        Assert.Equal(3, clicks.GetProperty("total").GetInt32());
        Assert.Equal(
            [(0, Target, 2), (1, "https://shop.example/second", 1)],
            clicks.GetProperty("links").EnumerateArray()
                .Select(l => (l.GetProperty("index").GetInt32(), l.GetProperty("url").GetString(), l.GetProperty("clicks").GetInt32())));
    }

    [Fact]
    public async Task A_forged_altered_or_cut_off_link_gets_a_plain_4xx_page_without_location_and_records_nothing()
    {
        var tenant = await TenantAsync();
        var (email, messageId) = await SendEmailAsync(tenant, "Forgery bait");
        var tracked = Hrefs(email.Html)[0];
        var token = tracked[TrackedPrefix.Length..];
        // The same token with its target swapped for another one (the MAC kept): an open-redirect attempt.
        var bytes = Base64Url.DecodeFromChars(token);
        var tenantEnd = 19 + 1 + bytes[19];
        var altered = Base64Url.EncodeToString(
            [.. bytes[..tenantEnd], .. Encoding.UTF8.GetBytes("https://evil.example/phish"), .. bytes[^LinkToken.MacBytes..]]);
        var foreign = LinkToken.Create(new LinkClaims(tenant.Id, messageId, 0, "https://evil.example/"), new byte[32]);

        using var browser = Browser();
        foreach (var (link, status) in new[]
                 {
                     (TrackedPrefix + altered, HttpStatusCode.NotFound), (TrackedPrefix + foreign, HttpStatusCode.NotFound),
                     (tracked[..^6], HttpStatusCode.BadRequest), (TrackedPrefix + "not-a-token", HttpStatusCode.BadRequest),
                 })
        {
            using var response = await browser.GetAsync(link);
            Assert.Equal(status, response.StatusCode);
            Assert.Null(response.Headers.Location);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("evil.example", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(0, await ClicksAsync(messageId));
    }

    [Theory]
    [InlineData("DNT")]
    [InlineData("Sec-GPC")]
    public async Task A_browser_that_asks_not_to_be_tracked_is_redirected_without_recording(string header)
    {
        var tenant = await TenantAsync();
        var (email, messageId) = await SendEmailAsync(tenant, "Private " + header);

        using var browser = Browser();
        using var request = new HttpRequestMessage(HttpMethod.Get, Hrefs(email.Html)[0]);
        request.Headers.Add(header, "1");
        using var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(Target, response.Headers.Location?.OriginalString);
        Assert.Equal(0, await ClicksAsync(messageId));
        // A HEAD (link scanners) is redirected without recording too.
        using (var head = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Head, Hrefs(email.Html)[0])))
        {
            Assert.Equal(HttpStatusCode.Found, head.StatusCode);
            Assert.Equal(0, await ClicksAsync(messageId));
        }

        // Without the header the same link is recorded: the test above is not vacuous.
        using (await browser.GetAsync(Hrefs(email.Html)[0]))
        {
        }

        Assert.Equal(1, await ClicksAsync(messageId));
    }

    [Fact]
    public async Task Security_messages_keep_their_links_untouched()
    {
        var tenant = await TenantAsync(category: "security");

        var (email, _) = await SendEmailAsync(tenant, "Your password was changed");

        Assert.Equal([Target, "https://shop.example/second", "mailto:help@shop.example", "#top"], Hrefs(email.Html));
    }

    [Fact]
    public async Task A_tenant_that_turns_tracking_off_sends_its_links_untouched()
    {
        var tenant = await TenantAsync();
        using var sys = fixture.Api.CreateClient();
        sys.DefaultRequestHeaders.Authorization = new("Bearer", CommsFixture.SysKey);

        var patched = await sys.PatchAsJsonAsync($"/sys/tenants/{tenant.Id}", new { linkTracking = false });
        var (email, _) = await SendEmailAsync(tenant, "Untracked offer");
        var refused = await sys.PatchAsJsonAsync($"/sys/tenants/{tenant.Id}", new { linkTracking = "no" });

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.False((await patched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("linkTracking").GetBoolean());
        Assert.Equal([Target, "https://shop.example/second"], Hrefs(email.Html)[..2]);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var view = await sys.GetFromJsonAsync<JsonElement>($"/sys/tenants/{tenant.Id}");
        Assert.False(view.GetProperty("linkTracking").GetBoolean());
    }

    [Fact]
    public async Task A_marketing_template_adds_utm_parameters_to_its_targets_and_others_do_not()
    {
        var tenant = await TenantAsync();
        var api = tenant.ApiClient();
        var saved = await api.PutAsJsonAsync($"/v1/templates/{Event}/email/en-US/draft", new { category = "booking", marketing = true, content = Email });
        Assert.True((await saved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("marketing").GetBoolean());
        var published = await api.PostAsync($"/v1/templates/{Event}/email/en-US/publish", null);
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        var version = await api.GetFromJsonAsync<JsonElement>($"/v1/templates/{Event}/email/en-US/versions/2");
        Assert.True(version.GetProperty("marketing").GetBoolean());

        var (email, _) = await SendEmailAsync(tenant, "Spring sale", "https://shop.example/sale?ref=mail&utm_source=partner#top");

        using var browser = Browser();
        using var first = await browser.GetAsync(Hrefs(email.Html)[0]);
        using var second = await browser.GetAsync(Hrefs(email.Html)[1]);
        Assert.Equal("https://shop.example/sale?ref=mail&utm_source=partner&utm_medium=email&utm_campaign=offer.sent#top",
            first.Headers.Location?.OriginalString);
        Assert.Equal("https://shop.example/second?utm_source=comms&utm_medium=email&utm_campaign=offer.sent",
            second.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task An_in_app_items_link_and_body_links_are_tracked_and_counted()
    {
        var tenant = await TenantAsync();
        await tenant.PostEventAsync(new { name = Event, recipients = new[] { "ann" }, causeRef = "o:inapp", payload = new { title = "In app", url = Target } });

        await using var db = fixture.CreateDbContext();
        var item = await Poll.UntilAsync(
            () => db.InboxItems.AsNoTracking().FirstOrDefaultAsync(i => i.TenantId == tenant.Id && i.Title == "In app"), "the inbox item");
        Assert.StartsWith(TrackedPrefix, item.Link, StringComparison.Ordinal);
        var bodyLink = Assert.Single(Hrefs(item.BodyHtml));
        Assert.StartsWith(TrackedPrefix, bodyLink, StringComparison.Ordinal);

        using var browser = Browser();
        using var followed = await browser.GetAsync(bodyLink);

        Assert.Equal("https://shop.example/in-body", followed.Headers.Location?.OriginalString);
        var details = await tenant.ApiClient().GetFromJsonAsync<JsonElement>($"/v1/messages/{item.MessageId}");
        Assert.Equal(
            [(0, Target, 0), (1, "https://shop.example/in-body", 1)],
            details.GetProperty("clicks").GetProperty("links").EnumerateArray()
                .Select(l => (l.GetProperty("index").GetInt32(), l.GetProperty("url").GetString(), l.GetProperty("clicks").GetInt32())));
    }
}
