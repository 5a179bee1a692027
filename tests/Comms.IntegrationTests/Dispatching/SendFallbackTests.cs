using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Messages;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Comms.IntegrationTests.Dispatching;

/// <summary>
/// After its last attempt, a message falls back to the rule's next fallback channel for that recipient (the same event
/// re-planned on it), with a <c>fallback</c> decision saying why; the failed message names where it went.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class SendFallbackTests(CommsFixture fixture) : IDisposable
{
    private readonly WireMockServer _server = WireMockServer.Start();

    public void Dispose() => _server.Stop();

    [Fact]
    public async Task A_webhook_that_keeps_failing_falls_back_to_in_app_after_its_three_attempts()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        await tenant.AddTemplateAsync("order.stuck", Channel.Webhook, new TemplateContent { Json = """{"orderId":"{{ order_id }}"}""" });
        await tenant.AddTemplateAsync("order.stuck", Channel.InApp, new TemplateContent { Title = "Order {{ order_id }} is stuck" });
        await tenant.SetRuleAsync("order.stuck", new
        {
            templateName = "order.stuck", category = "account", channels = new[] { Channel.Webhook }, fallbackChannels = new[] { Channel.InApp },
        });
        _server.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithStatusCode(503));
        var created = await tenant.ApiClient().PostAsJsonAsync("/v1/webhook-endpoints",
            new { url = $"http://127.0.0.1:{_server.Port}/hook", eventTypes = new[] { "order.stuck" }, enabled = true });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());

        var eventId = await tenant.PostEventAsync(new { name = "order.stuck", recipients = new[] { "alice" }, causeRef = "order:7", payload = new { order_id = "A-7" } });

        var inApp = await Poll.UntilAsync(async () =>
        {
            await using var db = fixture.CreateDbContext();
            return await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.EventId == eventId && m.Channel == Channel.InApp && m.Status == MessageStatus.Sent);
        }, "the in-app fallback to be delivered");
        Message webhook;
        await using (var db = fixture.CreateDbContext())
        {
            webhook = await db.Messages.AsNoTracking().SingleAsync(m => m.EventId == eventId && m.Channel == Channel.Webhook);
        }

        Assert.Equal(MessageStatus.Failed, webhook.Status);
        Assert.Equal(3, webhook.Attempts);
        Assert.Equal(3, _server.LogEntries.Count());
        Assert.Contains("Gave up after 3 attempts", webhook.LastError, StringComparison.Ordinal);
        Assert.Contains($"fell back to in_app (message {inApp.Id})", webhook.LastError, StringComparison.Ordinal);

        var decisions = await tenant.DecisionsAsync(eventId);
        Assert.Equal(
            [("alice", Channel.Webhook, "queued"), ("alice", Channel.Webhook, "fallback"), ("alice", Channel.InApp, "queued")],
            decisions.Select(d => (d.Recipient, d.Channel, d.Outcome)));
        var view = await tenant.ApiClient().GetFromJsonAsync<JsonElement>($"/v1/events/{eventId}");
        var fallback = view.GetProperty("decisions").EnumerateArray().Single(d => d.GetProperty("outcome").GetString() == "fallback");
        Assert.Contains("HTTP 503", fallback.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Every attempt is recorded, the last one in the fallback's own transaction; the in-app one went through the inbox.
        await using var check = fixture.CreateDbContext();
        var attempts = await check.MessageAttempts.AsNoTracking().Where(a => a.MessageId == webhook.Id || a.MessageId == inApp.Id)
            .OrderBy(a => a.StartedAt).Select(a => new { a.MessageId, a.Attempt, a.Provider, a.Outcome, a.StatusCode }).ToListAsync();
        Assert.Equal(
            [(webhook.Id, 1, "webhook", "transient", (int?)503), (webhook.Id, 2, "webhook", "transient", 503), (webhook.Id, 3, "webhook", "transient", 503),
             (inApp.Id, 1, "inapp", "sent", null)],
            attempts.Select(a => (a.MessageId, a.Attempt, a.Provider, a.Outcome, a.StatusCode)));
    }
}
