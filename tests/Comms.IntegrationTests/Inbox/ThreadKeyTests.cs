using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Inbox;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Inbox;

/// <summary>
/// An item's thread key comes from its in-app template's <c>threadKey</c>, else from the routing rule's — Liquid over
/// the payload, checked when saved — and the notification center groups by it.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ThreadKeyTests(CommsFixture fixture)
{
    private const string Schema = """{"type":"object","required":["booking_id"],"properties":{"booking_id":{"type":"integer"},"step":{"type":"string"}}}""";

    [Fact]
    public async Task The_rules_thread_key_groups_the_items_and_a_templates_own_key_wins()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        await tenant.AddTemplateAsync("booking.step", "in_app", new TemplateContent { Title = "Booking {{ booking_id }}: {{ step }}" }, schema: Schema);
        await tenant.AddTemplateAsync("chat.message", "in_app",
            new TemplateContent { Title = "Message {{ step }}", ThreadKey = "chat:{{ booking_id }}" }, schema: Schema);
        await tenant.SetRuleAsync("booking.step", new { templateName = "booking.step", category = "booking", channels = new[] { "in_app" }, threadKey = "booking:{{ booking_id }}" });
        await tenant.SetRuleAsync("chat.message", new { templateName = "chat.message", category = "messages", channels = new[] { "in_app" }, threadKey = "ignored:{{ booking_id }}" });
        var rule = await tenant.ApiClient().GetFromJsonAsync<JsonElement>("/v1/routing-rules/booking.step");
        Assert.Equal("booking:{{ booking_id }}", rule.GetProperty("threadKey").GetString());

        var events = new (string Name, int Booking, string Step)[]
        {
            ("booking.step", 42, "requested"), ("booking.step", 7, "requested"), ("booking.step", 42, "confirmed"),
            ("chat.message", 42, "hello"), ("booking.step", 42, "paid"), ("chat.message", 42, "bye"),
        };
        foreach (var (name, booking, step) in events)
        {
            await tenant.PostEventAsync(new { name, recipients = new[] { "alice" }, causeRef = $"{name}:{booking}:{step}", payload = new { booking_id = booking, step } });
        }

        var user = tenant.UserClient("alice");
        var items = await Poll.UntilAsync(async () =>
        {
            var page = await user.GetFromJsonAsync<InboxPage>("/me/notifications?limit=100");
            return page!.Items.Count == events.Length ? page.Items : null;
        }, "the six items");
        Assert.Equal(3, items.Count(i => i.ThreadKey == "booking:42"));
        Assert.Equal("booking:7", items.Single(i => i.Title == "Booking 7: requested").ThreadKey);
        Assert.Equal(2, items.Count(i => i.ThreadKey == "chat:42"));

        var threads = await user.GetFromJsonAsync<InboxPage>("/me/notifications?group=thread");
        Assert.Equal(
            [("booking:42", 3), ("booking:7", 1), ("chat:42", 2)],
            threads!.Items.Select(i => (i.ThreadKey!, i.ThreadCount!.Value)).OrderBy(t => t.Item1, StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task A_thread_key_that_is_not_valid_Liquid_is_refused_when_the_rule_or_the_template_is_saved()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var api = tenant.ApiClient();

        var rule = await api.PutAsJsonAsync("/v1/routing-rules/broken.thread", new
        {
            templateName = TestTenant.WelcomeEvent, category = "account", channels = new[] { "in_app" }, threadKey = "booking:{{ booking_id",
        });
        await AssertProblemAsync(rule, HttpStatusCode.BadRequest, "COMMS_VALIDATION", "threadKey");

        var emailOnly = await api.PutAsJsonAsync("/v1/routing-rules/email.thread", new
        {
            templateName = TestTenant.WelcomeEvent, category = "account", channels = new[] { "email" }, threadKey = "x",
        });
        await AssertProblemAsync(emailOnly, HttpStatusCode.BadRequest, "COMMS_VALIDATION", "threadKey");

        var draft = await api.PutAsJsonAsync("/v1/templates/broken.thread/in_app/en-US/draft", new
        {
            category = "account", content = new { title = "Hi", threadKey = "{% if %}" },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, draft.StatusCode);
        var problem = JsonDocument.Parse(await draft.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("COMMS_TEMPLATE_INVALID", problem.GetProperty("type").GetString());
        Assert.Contains("content.threadKey", problem.ToString(), StringComparison.Ordinal);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode} {body}");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(type, problem.GetProperty("type").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), body);
    }
}
