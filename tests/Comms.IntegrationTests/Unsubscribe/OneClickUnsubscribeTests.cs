using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using static Comms.IntegrationTests.Unsubscribe.UnsubscribeSetup;

namespace Comms.IntegrationTests.Unsubscribe;

/// <summary>RFC 8058 one-click unsubscribe: the headers of every non-critical email, and the POST a mail provider makes.</summary>
[Collection(CommsCollection.Name)]
public sealed class OneClickUnsubscribeTests(CommsFixture fixture)
{
    [Fact]
    public async Task A_non_critical_email_carries_both_headers_and_its_link_opts_the_user_out_with_200_twice()
    {
        var tenant = await TenantAsync(fixture, "ann");

        var email = await SendAsync(fixture, tenant, "ann", "Spring sale");

        var listUnsubscribe = email.Header("list-unsubscribe");
        Assert.NotNull(listUnsubscribe);
        Assert.Equal("List-Unsubscribe=One-Click", email.Header("list-unsubscribe-post"));
        var link = LinkOf(listUnsubscribe);
        var token = link[(link.LastIndexOf('/') + 1)..];
        Assert.StartsWith(fixture.Web.BaseUrl + "/unsubscribe/", link, StringComparison.Ordinal);
        Assert.Matches("^[A-Za-z0-9_-]{40,120}$", token); // base64url: nothing to escape in a URL, and short
        Assert.Matches($"^<{Regex(link)}>, <mailto:unsubscribe@comms\\.local\\?subject=unsubscribe%20{Regex(token)}>$", listUnsubscribe);
        // unsubscribe_url in the template is the same link, so the body can show it too.
        Assert.Contains($"Unsubscribe: [{link}]", email.Text, StringComparison.Ordinal);
        Assert.Contains($"href=\"{link}\"", email.Html, StringComparison.Ordinal);
        Assert.True(EmailOn(await MatrixAsync(tenant, "ann"), "promotions"));

        // RFC 8058 §3.2 / Gmail's request: form-encoded, exactly "List-Unsubscribe=One-Click" (Content-Length 26).
        var body = new StringContent("List-Unsubscribe=One-Click", Encoding.ASCII);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        Assert.Equal(26, body.Headers.ContentLength);
        var first = await OneClickAsync(link, body);
        var second = await OneClickAsync(link);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode); // never a redirect: a redirected POST would become a GET
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Contains("You are unsubscribed from Promotions emails", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var matrix = await MatrixAsync(tenant, "ann");
        Assert.False(EmailOn(matrix, "promotions"));
        Assert.True(EmailOn(matrix, "account"));

        // Routing honours it: the next promotion is not emailed.
        var next = await tenant.DecisionsAsync(await tenant.PostEventAsync(new
        {
            name = "notice", recipients = new[] { "ann" }, causeRef = "u:after", payload = new { title = "Another sale" },
        }));
        Assert.Equal(("email", "blocked", ReasonCodes.PrefBlocked), next.Select(d => (d.Channel, d.Outcome, d.Reason)).Single());
    }

    [Fact]
    public async Task The_one_click_post_may_be_multipart_as_RFC_8058_recommends()
    {
        var tenant = await TenantAsync(fixture, "bea", category: "booking");
        var link = LinkOf((await SendAsync(fixture, tenant, "bea", "Your booking")).Header("list-unsubscribe")!);

        var response = await OneClickAsync(link, new MultipartFormDataContent { { new StringContent("One-Click"), "List-Unsubscribe" } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(EmailOn(await MatrixAsync(tenant, "bea"), "booking"));
    }

    [Theory]
    [InlineData("security")]
    [InlineData("legal")]
    [InlineData("outage")] // a tenant's own critical category
    public async Task Critical_email_never_carries_the_headers_nor_an_unsubscribe_url(string category)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "cal");
        if (category == "outage")
        {
            var created = await tenant.ApiClient().PutAsync("/v1/categories/outage",
                new StringContent("""{"critical":true,"defaultChannels":["email"]}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await tenant.AddTemplateAsync("notice", Channel.Email, EmailTemplate);
        await tenant.SetRuleAsync("notice", new { templateName = "notice", category, channels = new[] { "email" } });

        var email = await SendAsync(fixture, tenant, "cal", "Important " + category);

        Assert.Null(email.Header("list-unsubscribe"));
        Assert.Null(email.Header("list-unsubscribe-post"));
        Assert.Contains("Unsubscribe: []", email.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("/unsubscribe/", email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_post_without_the_one_click_body_changes_nothing()
    {
        var tenant = await TenantAsync(fixture, "dan");
        var link = LinkOf((await SendAsync(fixture, tenant, "dan", "Deals")).Header("list-unsubscribe")!);

        var empty = await OneClickAsync(link, new FormUrlEncodedContent([]));
        var other = await OneClickAsync(link, new FormUrlEncodedContent([new("List-Unsubscribe", "yes")]));
        var json = await OneClickAsync(link, new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest], [empty.StatusCode, other.StatusCode, json.StatusCode]);
        Assert.True(EmailOn(await MatrixAsync(tenant, "dan"), "promotions"));
    }

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
