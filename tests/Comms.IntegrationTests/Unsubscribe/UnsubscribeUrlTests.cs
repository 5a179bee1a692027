using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Messages;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;
using static Comms.IntegrationTests.Unsubscribe.UnsubscribeSetup;

namespace Comms.IntegrationTests.Unsubscribe;

/// <summary>The <c>unsubscribe_url</c> built-in in previews and digests (which are rendered by their own path).</summary>
[Collection(CommsCollection.Name)]
public sealed class UnsubscribeUrlTests(CommsFixture fixture)
{
    [Theory]
    [InlineData("promotions", "email", TemplateBuiltIns.ExampleUnsubscribeUrl)]
    [InlineData("security", "email", "")]
    [InlineData("promotions", "in_app", "")]
    public async Task A_preview_shows_an_example_link_where_the_email_will_have_one(string category, string channel, string expected)
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();
        object content = channel == "email"
            ? new { subject = "Hi", text = "[{{ unsubscribe_url }}]" }
            : new { title = "Hi", body = "[{{ unsubscribe_url }}]" };
        var saved = await api.PutAsJsonAsync($"/v1/templates/news/{channel}/en-US/draft", new { category, content });
        Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
        var savedJson = await saved.Content.ReadFromJsonAsync<JsonElement>();

        var preview = await api.PostAsJsonAsync($"/v1/templates/news/{channel}/en-US/draft/preview", new { payload = new { } });

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var rendered = (await preview.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("content");
        Assert.Equal($"[{expected}]", rendered.GetProperty(channel == "email" ? "text" : "body").GetString());
        Assert.Empty(savedJson.GetProperty("warnings").EnumerateArray()); // a built-in: no "neither declared nor a built-in" warning
    }

    [Fact]
    public async Task A_digest_email_carries_the_headers_and_the_link_of_its_category()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        await tenant.AddTemplateAsync("comments.digest", Channel.Email, new()
        {
            Subject = "{{ count }} new comments", Text = "Stop these: {{ unsubscribe_url }}",
        });
        await tenant.SetRuleAsync("comment.added", new
        {
            templateName = "comment.added", category = "messages", channels = new[] { "email" },
            digest = new { key = "thread:{{ thread }}", windowSeconds = 1, templateName = "comments.digest" },
        });

        await tenant.PostEventAsync(new { name = "comment.added", recipients = new[] { "ann" }, causeRef = "c:1", payload = new { thread = "t1" } });
        var caught = await fixture.Mailbox.WaitForOneToAsync(tenant.EmailOf("ann"));
        var email = new SentEmail(caught, await fixture.Mailbox.SourceAsync(caught.Id));

        Assert.Equal("1 new comments", email.Email.Subject);
        var link = LinkOf(email.Header("list-unsubscribe")!);
        Assert.Equal("List-Unsubscribe=One-Click", email.Header("list-unsubscribe-post"));
        Assert.Contains("Stop these: " + link, email.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await OneClickAsync(link)).StatusCode);
        Assert.False(EmailOn(await MatrixAsync(tenant, "ann"), "messages"));
    }
}
