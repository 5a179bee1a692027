extern alias dispatcher;

using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Messages;
using Comms.Core.Templates;
using Comms.Core.Webhooks;
using Comms.IntegrationTests.Infrastructure;
using Comms.TestServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WebhookPoster = dispatcher::Comms.Dispatcher.Webhooks.WebhookPoster;
using WebhookSender = dispatcher::Comms.Dispatcher.Webhooks.WebhookSender;
using SendOutcome = dispatcher::Comms.Dispatcher.Sending.SendOutcome;

namespace Comms.IntegrationTests.Webhooks;

/// <summary>
/// The webhook channel end to end, against a WireMock server on 127.0.0.1 (the fixture sets
/// <c>Comms:Webhooks:AllowPrivateTargets</c>): signed per Standard Webhooks, verified here with the secret from
/// registration; 5xx retried and delivered; 4xx failed at once; only subscribed, enabled endpoints called.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class WebhookDeliveryTests(CommsFixture fixture) : IDisposable
{
    private readonly WireMockServer _server = WireMockServer.Start();

    public void Dispose() => _server.Stop();

    private string Url(string path) => $"http://127.0.0.1:{_server.Port}{path}";

    private static async Task<TestTenant> TenantWithWebhookRuleAsync(CommsFixture fixture, string eventName)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        await tenant.AddTemplateAsync(eventName, Channel.Webhook, new TemplateContent { Json = """{"orderId":"{{ order_id }}","total":{{ total }}}""" });
        await tenant.SetRuleAsync(eventName, new { templateName = eventName, category = "account", channels = new[] { Channel.Webhook } });
        return tenant;
    }

    private static async Task<(Guid Id, string Secret)> RegisterAsync(TestTenant tenant, string url, string[] eventTypes, bool enabled = true)
    {
        var response = await tenant.ApiClient().PostAsJsonAsync("/v1/webhook-endpoints", new { url, eventTypes, enabled });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("id").GetGuid(), created.GetProperty("secret").GetString()!);
    }

    private async Task<Message> FinishedMessageAsync(Guid eventId) =>
        await Poll.UntilAsync(async () =>
        {
            await using var db = fixture.CreateDbContext();
            return await db.Messages.AsNoTracking()
                .FirstOrDefaultAsync(m => m.EventId == eventId && m.Channel == Channel.Webhook && (m.Status == MessageStatus.Sent || m.Status == MessageStatus.Failed));
        }, $"the webhook message of event {eventId} to finish");

    [Fact]
    public async Task A_500_is_retried_and_the_message_is_delivered_once_signed_to_the_subscribed_endpoint_only()
    {
        var tenant = await TenantWithWebhookRuleAsync(fixture, "order.shipped");
        _server.Given(Request.Create().WithPath("/hook").UsingPost()).InScenario("flaky").WillSetStateTo("up")
            .RespondWith(Response.Create().WithStatusCode(500));
        _server.Given(Request.Create().WithPath("/hook").UsingPost()).InScenario("flaky").WhenStateIs("up")
            .RespondWith(Response.Create().WithStatusCode(200));
        _server.Given(Request.Create().UsingAnyMethod()).AtPriority(100).RespondWith(Response.Create().WithStatusCode(200));
        var (endpointId, secret) = await RegisterAsync(tenant, Url("/hook"), ["order.shipped"]);
        await RegisterAsync(tenant, Url("/other-event"), ["order.cancelled"]);
        await RegisterAsync(tenant, Url("/disabled"), ["*"], enabled: false);

        var eventId = await tenant.PostEventAsync(new { name = "order.shipped", recipients = new[] { "alice" }, causeRef = "order:42", payload = new { order_id = "A-42", total = 12.5 } });
        var message = await FinishedMessageAsync(eventId);

        Assert.Equal(MessageStatus.Sent, message.Status);
        var requests = _server.LogEntries.Select(e => e.RequestMessage).ToList();
        Assert.Equal(["/hook", "/hook"], requests.Select(r => r.Path));
        Assert.Equal([500, 200], _server.LogEntries.Select(e => (int)e.ResponseMessage.StatusCode!));
        var delivered = requests[1];
        var id = delivered.Headers!["webhook-id"].Single();
        var timestamp = delivered.Headers["webhook-timestamp"].Single();
        var signature = delivered.Headers["webhook-signature"].Single();
        Assert.Equal("msg_" + message.Id.ToString("N"), id);
        Assert.Equal(id, requests[0].Headers!["webhook-id"].Single());
        Assert.Matches("^[0-9]{10}$", timestamp);
        Assert.InRange(long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.StartsWith("v1,", signature, StringComparison.Ordinal);
        Assert.StartsWith("application/json", delivered.Headers["Content-Type"].Single(), StringComparison.Ordinal);
        Assert.True(WebhookSignature.Verify(secret, id, timestamp, delivered.Body!, signature, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(WebhookSignature.NewSecret(), id, timestamp, delivered.Body!, signature, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));

        var body = JsonDocument.Parse(delivered.Body!).RootElement;
        Assert.Equal("notification", body.GetProperty("type").GetString());
        Assert.True(DateTimeOffset.TryParse(body.GetProperty("timestamp").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
        var data = body.GetProperty("data");
        Assert.Equal(message.Id, data.GetProperty("messageId").GetGuid());
        Assert.Equal(eventId, data.GetProperty("eventId").GetGuid());
        Assert.Equal("order.shipped", data.GetProperty("event").GetString());
        Assert.Equal("account", data.GetProperty("category").GetString());
        Assert.Equal("alice", data.GetProperty("recipient").GetProperty("externalId").GetString());
        Assert.Equal("order.shipped", data.GetProperty("template").GetProperty("name").GetString());
        Assert.Equal("A-42", data.GetProperty("content").GetProperty("orderId").GetString());
        Assert.Equal(12.5, data.GetProperty("content").GetProperty("total").GetDouble());
        Assert.NotEqual(Guid.Empty, endpointId);
    }

    [Fact]
    public async Task A_400_fails_the_message_at_once_with_the_status_named()
    {
        var tenant = await TenantWithWebhookRuleAsync(fixture, "order.refused");
        _server.Given(Request.Create().WithPath("/reject").UsingPost()).RespondWith(Response.Create().WithStatusCode(400).WithBody("""{"error":"no"}"""));
        var (endpointId, _) = await RegisterAsync(tenant, Url("/reject"), ["*"]);

        var eventId = await tenant.PostEventAsync(new { name = "order.refused", recipients = new[] { "alice" }, causeRef = "order:43", payload = new { order_id = "A-43", total = 1 } });
        var message = await FinishedMessageAsync(eventId);

        Assert.Equal(MessageStatus.Failed, message.Status);
        Assert.Equal(1, message.Attempts);
        Assert.Contains($"Webhook endpoint {endpointId} answered HTTP 400", message.LastError, StringComparison.Ordinal);
        Assert.Single(_server.LogEntries);
    }

    [Fact]
    public async Task A_429_is_retried_no_earlier_than_its_Retry_After()
    {
        var tenant = await TenantWithWebhookRuleAsync(fixture, "order.throttled");
        _server.Given(Request.Create().WithPath("/slow").UsingPost()).InScenario("throttled").WillSetStateTo("open")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "2"));
        _server.Given(Request.Create().WithPath("/slow").UsingPost()).InScenario("throttled").WhenStateIs("open")
            .RespondWith(Response.Create().WithStatusCode(204));
        await RegisterAsync(tenant, Url("/slow"), ["order.throttled"]);

        var eventId = await tenant.PostEventAsync(new { name = "order.throttled", recipients = new[] { "alice" }, causeRef = "order:45", payload = new { order_id = "A-45", total = 1 } });
        var message = await FinishedMessageAsync(eventId);

        Assert.Equal(MessageStatus.Sent, message.Status);
        var times = _server.LogEntries.Select(e => e.RequestMessage.DateTime).ToList();
        Assert.Equal(2, times.Count);
        Assert.True(times[1] - times[0] >= TimeSpan.FromSeconds(1.9), $"retried after {(times[1] - times[0]).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Without_an_enabled_endpoint_the_webhook_channel_has_no_address()
    {
        var tenant = await TenantWithWebhookRuleAsync(fixture, "order.nowhere");
        await RegisterAsync(tenant, Url("/disabled"), ["*"], enabled: false);

        var eventId = await tenant.PostEventAsync(new { name = "order.nowhere", recipients = new[] { "alice" }, causeRef = "order:44", payload = new { order_id = "A-44", total = 1 } });

        Assert.Equal([("alice", "webhook", "blocked", (string?)ReasonCodes.NoAddress)], await tenant.DecisionsAsync(eventId));
        Assert.Empty(_server.LogEntries);
    }

    [Fact]
    public async Task A_target_that_resolves_to_a_private_address_at_connect_time_is_refused_permanently()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        _server.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200));
        // Registered while private targets were allowed (or re-pointed by DNS since): the connect-time check still refuses it.
        await RegisterAsync(tenant, $"http://localhost:{_server.Port}/rebound", ["*"]);
        var strict = Sender(allowPrivate: false);

        var outcome = await strict.SendAsync(Message(tenant), "test", CancellationToken.None);

        var permanent = Assert.IsType<SendOutcome.Permanent>(outcome);
        Assert.Contains("loopback", permanent.Error, StringComparison.Ordinal);
        Assert.Empty(_server.LogEntries);
    }

    [Fact]
    public async Task An_endpoint_whose_secret_cannot_be_decrypted_is_not_called_and_the_failure_says_why()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        _server.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200));
        var (id, _) = await RegisterAsync(tenant, Url("/sealed"), ["*"]);
        await using (var db = fixture.CreateDbContext())
        {
            // Sealed under another tenant's row: the associated data no longer matches, as with a foreign encryption key.
            var other = (await RegisterAsync(await TestTenant.CreateAsync(fixture), Url("/x"), ["*"])).Id;
            var foreign = await db.WebhookEndpoints.SingleAsync(e => e.Id == other);
            await db.WebhookEndpoints.Where(e => e.Id == id).ExecuteUpdateAsync(u => u.SetProperty(e => e.ProtectedSecret, foreign.ProtectedSecret));
        }

        var sender = Sender(allowPrivate: true);
        var outcome = await sender.SendAsync(Message(tenant), "test", CancellationToken.None);

        Assert.Contains("cannot be decrypted", Assert.IsType<SendOutcome.Permanent>(outcome).Error, StringComparison.Ordinal);
        Assert.Empty(_server.LogEntries);
    }

    private WebhookSender Sender(bool allowPrivate)
    {
        var services = fixture.Dispatcher.Services;
        var poster = new WebhookPoster(new DirectClients(allowPrivate),
            Microsoft.Extensions.Options.Options.Create(new WebhookOptions { AllowPrivateTargets = allowPrivate }), TimeProvider.System,
            NullLogger<WebhookPoster>.Instance);
        return new WebhookSender(services.GetRequiredService<WebhookEndpointService>(), services.GetRequiredService<IDbContextFactory<Comms.Core.Data.CommsDbContext>>(),
            poster, TimeProvider.System);
    }

    /// <summary>A client with the sender's connect-time target checks and nothing else (no provider guards).</summary>
    private sealed class DirectClients(bool allowPrivate) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(WebhookTargets.CreateHandler(allowPrivate));
    }

    private static ClaimedMessage Message(TestTenant tenant) =>
        new(Guid.CreateVersion7(), tenant.Id, null, Guid.NewGuid(), "alice", Channel.Webhook, "account", "t", 1, "en-US",
            "ref", "webhook-endpoints:1", 1, null, null, new RenderedContent { Json = "{}" });
}
