using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Messages;
using Comms.Core.Webhooks;
using Comms.IntegrationTests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Comms.IntegrationTests.Feedback;

/// <summary>
/// Outbound status webhooks: the dispatcher's own status changes (in-app and email marked sent) and a provider's report
/// (delivered) reach the endpoints subscribed to them, signed per Standard Webhooks, retried after a 500, with the
/// deliveries' state listed per endpoint; endpoints not subscribed receive nothing.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class StatusWebhookTests(CommsFixture fixture) : IDisposable
{
    private readonly WireMockServer _server = WireMockServer.Start();

    public void Dispose() => _server.Stop();

    private async Task<(Guid Id, string Secret)> RegisterAsync(TestTenant tenant, string path, string[] eventTypes)
    {
        var response = await tenant.ApiClient().PostAsJsonAsync("/v1/webhook-endpoints", new { url = $"http://127.0.0.1:{_server.Port}{path}", eventTypes });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("id").GetGuid(), created.GetProperty("secret").GetString()!);
    }

    [Fact]
    public async Task Sent_and_delivered_changes_are_posted_signed_to_subscribed_endpoints_with_retries_and_visible_state()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        _server.Given(Request.Create().WithPath("/status").UsingPost()).InScenario("flaky").WillSetStateTo("up")
            .RespondWith(Response.Create().WithStatusCode(500));
        _server.Given(Request.Create().WithPath("/status").UsingPost()).InScenario("flaky").WhenStateIs("up")
            .RespondWith(Response.Create().WithStatusCode(200));
        _server.Given(Request.Create().UsingAnyMethod()).AtPriority(100).RespondWith(Response.Create().WithStatusCode(200));
        var (endpointId, secret) = await RegisterAsync(tenant, "/status", [MessageStatusEvents.Sent, MessageStatusEvents.Delivered]);
        await RegisterAsync(tenant, "/everything", ["*"]);
        await RegisterAsync(tenant, "/bounces", [MessageStatusEvents.Bounced]);

        var eventId = await tenant.PostEventAsync(new { name = TestTenant.WelcomeEvent, recipients = new[] { "alice" }, causeRef = "welcome", payload = new { name = "Alice" } });
        var email = await FeedbackTestSupport.MessageAsync(fixture, eventId, Channel.Email, MessageStatus.Sent);
        var inApp = await FeedbackTestSupport.MessageAsync(fixture, eventId, Channel.InApp, MessageStatus.Sent);
        using (var report = await fixture.Api.CreateClient().SendAsync(ProviderSignatures.SendGridPost(
                   "[" + FeedbackTestSupport.SendGridEvent(email, tenant.EmailOf("alice"), "delivered") + "]")))
        {
            Assert.True(report.IsSuccessStatusCode);
        }

        var deliveries = await Poll.UntilAsync(async () =>
        {
            var page = await tenant.ApiClient().GetFromJsonAsync<JsonElement>($"/v1/webhook-endpoints/{endpointId}/deliveries");
            var items = page.GetProperty("items").EnumerateArray().ToList();
            return items.Count == 3 && items.All(i => i.GetProperty("status").GetString() == WebhookDeliveryStatus.Delivered) ? items : null;
        }, "three status webhooks delivered");

        Assert.Equal(
            [(MessageStatusEvents.Delivered, email.Id), (MessageStatusEvents.Sent, email.Id), (MessageStatusEvents.Sent, inApp.Id)],
            deliveries.Select(d => (d.GetProperty("eventType").GetString()!, d.GetProperty("messageId").GetGuid())).OrderBy(d => d.Item1).ThenBy(d => d.Item2 == inApp.Id));
        Assert.All(deliveries, d => Assert.Equal(200, d.GetProperty("lastResponseCode").GetInt32()));
        // Each attempt is one request; the 500s (at least the first answer) were retried until a 200.
        var requests = _server.LogEntries.Select(e => e.RequestMessage).ToList();
        var answers = _server.LogEntries.Select(e => (int)e.ResponseMessage.StatusCode!).ToList();
        Assert.All(requests, r => Assert.Equal("/status", r.Path));
        Assert.Equal(requests.Count, deliveries.Sum(d => d.GetProperty("attempts").GetInt32()));
        Assert.Equal(500, answers[0]);
        Assert.Equal(3, answers.Count(a => a == 200));
        Assert.Contains(deliveries, d => d.GetProperty("attempts").GetInt32() >= 2);
        foreach (var request in requests)
        {
            var id = request.Headers!["webhook-id"].Single();
            Assert.StartsWith("whd_", id, StringComparison.Ordinal);
            Assert.True(WebhookSignature.Verify(secret, id, request.Headers["webhook-timestamp"].Single(), request.Body!, request.Headers["webhook-signature"].Single(),
                DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        }

        var delivered = requests.Select(r => JsonDocument.Parse(r.Body!).RootElement).Last(b => b.GetProperty("type").GetString() == MessageStatusEvents.Delivered);
        var data = delivered.GetProperty("data");
        Assert.Equal(email.Id, data.GetProperty("messageId").GetGuid());
        Assert.Equal(eventId, data.GetProperty("eventId").GetGuid());
        Assert.Equal(("delivered", "sent", "email"), (data.GetProperty("status").GetString(), data.GetProperty("previousStatus").GetString(), data.GetProperty("channel").GetString()));
        Assert.Equal("alice", data.GetProperty("recipient").GetProperty("externalId").GetString());
        Assert.Equal(TestTenant.WelcomeEvent, data.GetProperty("template").GetProperty("name").GetString());
        Assert.True(DateTimeOffset.TryParse(delivered.GetProperty("timestamp").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));

        // Another tenant cannot see this endpoint's deliveries.
        var other = await TestTenant.CreateAsync(fixture);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await other.ApiClient().GetAsync($"/v1/webhook-endpoints/{endpointId}/deliveries")).StatusCode);
    }

    [Fact]
    public async Task A_message_the_dispatcher_dead_letters_is_announced_as_message_failed_with_its_error()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        await tenant.AddTemplateAsync("order.refused", Channel.Webhook, new Core.Templates.TemplateContent { Json = """{"orderId":"{{ order_id }}"}""" });
        await tenant.SetRuleAsync("order.refused", new { templateName = "order.refused", category = "account", channels = new[] { Channel.Webhook } });
        _server.Given(Request.Create().WithPath("/refuse").UsingPost()).RespondWith(Response.Create().WithStatusCode(400));
        _server.Given(Request.Create().WithPath("/failures").UsingPost()).RespondWith(Response.Create().WithStatusCode(204));
        await RegisterAsync(tenant, "/refuse", ["order.refused"]);
        var (failuresId, secret) = await RegisterAsync(tenant, "/failures", [MessageStatusEvents.Failed]);

        var eventId = await tenant.PostEventAsync(new { name = "order.refused", recipients = new[] { "alice" }, causeRef = "order:1", payload = new { order_id = "A-1" } });
        var message = await FeedbackTestSupport.MessageAsync(fixture, eventId, Channel.Webhook, MessageStatus.Failed);

        var announced = await Poll.UntilAsync(
            () => Task.FromResult(_server.LogEntries.Select(e => e.RequestMessage).FirstOrDefault(r => r.Path == "/failures")), "the message.failed webhook");
        Assert.True(WebhookSignature.Verify(secret, announced.Headers!["webhook-id"].Single(), announced.Headers["webhook-timestamp"].Single(), announced.Body!,
            announced.Headers["webhook-signature"].Single(), DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        var body = JsonDocument.Parse(announced.Body!).RootElement;
        Assert.Equal(MessageStatusEvents.Failed, body.GetProperty("type").GetString());
        var data = body.GetProperty("data");
        Assert.Equal((message.Id, "failed", "queued"), (data.GetProperty("messageId").GetGuid(), data.GetProperty("status").GetString(), data.GetProperty("previousStatus").GetString()));
        Assert.Contains("answered HTTP 400", data.GetProperty("error").GetString(), StringComparison.Ordinal);

        var page = await Poll.UntilAsync(async () =>
        {
            var json = await tenant.ApiClient().GetFromJsonAsync<JsonElement>($"/v1/webhook-endpoints/{failuresId}/deliveries?status=delivered");
            return json.GetProperty("items").GetArrayLength() == 1 ? json.GetRawText() : null;
        }, "the delivery to be recorded as delivered");
        Assert.Equal(204, JsonDocument.Parse(page).RootElement.GetProperty("items")[0].GetProperty("lastResponseCode").GetInt32());
    }
}
