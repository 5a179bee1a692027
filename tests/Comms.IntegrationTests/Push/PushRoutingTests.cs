using System.Text.Json;
using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Queueing;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using static Comms.IntegrationTests.Push.PushWorld;

namespace Comms.IntegrationTests.Push;

/// <summary>
/// Push end to end: an event posted through the API is routed on a rule's <c>push</c> channel, rendered from its payload
/// and delivered through Expo's wire format to every device of the recipient. Routing runs on a dispatcher with Expo and
/// its own clock: the event is due an hour ahead, so the suite's shared dispatcher (no push provider) leaves it alone.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class PushRoutingTests(CommsFixture fixture)
{
    [Fact]
    public async Task An_event_routed_to_push_reaches_every_device_rendered_from_its_payload()
    {
        using var expo = ExpoPushTests.StartExpo();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dispatcher = fixture.StartDispatcher(ExpoPushTests.Settings(expo), time: clock);
        var tenant = await TestTenant.CreateAsync(fixture);
        await tenant.AddTemplateAsync("order.shipped", Channel.Push, new TemplateContent
        {
            Title = "Order {{ order_id }} shipped", Body = "Arriving {{ eta }}.", Data = new Dictionary<string, string> { ["orderId"] = "{{ order_id }}" },
        });
        await tenant.SetRuleAsync("order.shipped", new { templateName = "order.shipped", category = Categories.Booking, channels = new[] { "push" } });
        await tenant.AddRecipientAsync("ann");
        await AddDeviceAsync(tenant, "ann", "expo", "ExponentPushToken[phone]");
        await AddDeviceAsync(tenant, "ann", "expo", "ExponentPushToken[watch]");

        var sendAt = clock.GetUtcNow().AddHours(1);
        var eventId = await tenant.PostEventAsync(new
        {
            name = "order.shipped", recipients = new[] { "ann" }, causeRef = "order:77", sendAt, payload = new { order_id = "77", eta = "tomorrow" },
        });
        clock.SetUtcNow(sendAt.AddSeconds(1));
        await fixture.RedisClient.GetSubscriber().PublishAsync(WakeUps.Channel, WakeUps.Events);

        var message = await Poll.UntilAsync(async () =>
        {
            await using var db = fixture.CreateDbContext();
            var m = await db.Messages.AsNoTracking().SingleOrDefaultAsync(m => m.TenantId == tenant.Id && m.EventId == eventId && m.Channel == Channel.Push);
            return m?.Status is MessageStatus.Sent or MessageStatus.Failed ? m : null;
        }, "the routed push message to be sent");
        Assert.True(message.Status == MessageStatus.Sent, $"{message.Status}: {message.LastError}");

        var request = Assert.Single(Requests(expo, "/--/api/v2/push/send"));
        using var body = JsonDocument.Parse(request.RequestMessage.Body!);
        var sent = body.RootElement.EnumerateArray().ToList();
        Assert.Equal(["ExponentPushToken[phone]", "ExponentPushToken[watch]"], sent.Select(m => m.GetProperty("to").GetString()).Order());
        Assert.All(sent, m =>
        {
            Assert.Equal("Order 77 shipped", m.GetProperty("title").GetString());
            Assert.Equal("Arriving tomorrow.", m.GetProperty("body").GetString());
            Assert.Equal("77", m.GetProperty("data").GetProperty("orderId").GetString());
            Assert.Equal(message.Id.ToString(), m.GetProperty("data").GetProperty("messageId").GetString());
        });
    }
}
