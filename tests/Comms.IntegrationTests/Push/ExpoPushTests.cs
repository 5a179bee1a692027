using System.Text.Json;
using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Isolation;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static Comms.IntegrationTests.Push.PushWorld;

namespace Comms.IntegrationTests.Push;

/// <summary>Push through Expo's push API, against a fake speaking its wire format (PROVIDERS.md section 5).</summary>
[Collection(CommsCollection.Name)]
public sealed class ExpoPushTests(CommsFixture fixture)
{
    private const string SendPath = "/--/api/v2/push/send";
    private const string ReceiptsPath = "/--/api/v2/push/getReceipts";
    private const string AccessToken = "expo-access-token";

    /// <summary>Expo's tickets, in order: <c>DeviceNotRegistered</c> for tokens containing "dead", else ok.</summary>
    internal static WireMockServer StartExpo(int failFirst = 0)
    {
        var server = WireMockServer.Start();
        var calls = 0;
        server.Given(Request.Create().WithPath(SendPath).UsingPost()).RespondWith(Response.Create().WithCallback(request =>
        {
            if (Interlocked.Increment(ref calls) <= failFirst)
            {
                return Json(500, """{"errors":[{"code":"INTERNAL_SERVER_ERROR","message":"An unknown error occurred."}]}""");
            }

            using var body = JsonDocument.Parse(request.Body!);
            var tickets = body.RootElement.EnumerateArray().Select(m => m.GetProperty("to").GetString()!.Contains("dead", StringComparison.Ordinal)
                ? $$$"""{"status":"error","message":"\"{{{m.GetProperty("to").GetString()}}}\" is not a registered push notification recipient","details":{"error":"DeviceNotRegistered"}}"""
                : $$"""{"status":"ok","id":"receipt-{{Guid.NewGuid()}}|{{m.GetProperty("to").GetString()}}"}""");
            return Json(200, $$"""{"data":[{{string.Join(',', tickets)}}]}""");
        }));

        // Receipts: DeviceNotRegistered for tickets of tokens containing "gone" (the app was uninstalled after the ticket).
        server.Given(Request.Create().WithPath(ReceiptsPath).UsingPost()).RespondWith(Response.Create().WithCallback(request =>
        {
            using var body = JsonDocument.Parse(request.Body!);
            var receipts = body.RootElement.GetProperty("ids").EnumerateArray().Select(id => id.GetString()!).Select(id => id.Contains("gone", StringComparison.Ordinal)
                ? $$$"""{{{JsonSerializer.Serialize(id)}}}:{"status":"error","message":"The recipient device is not registered with FCM.","details":{"error":"DeviceNotRegistered"}}"""
                : $$"""{{JsonSerializer.Serialize(id)}}:{"status":"ok"}""");
            return Json(200, """{"data":{""" + string.Join(',', receipts) + "}}");
        }));
        return server;
    }

    internal static Dictionary<string, string?> Settings(WireMockServer server) => new()
    {
        ["Comms:Providers:Expo:Enabled"] = "true",
        ["Comms:Providers:Expo:BaseUrl"] = server.Url,
        ["Comms:Providers:Expo:AccessToken"] = AccessToken,
    };

    [Fact]
    public async Task A_push_message_goes_to_every_expo_device_of_the_recipient_in_one_request_and_is_sent_with_its_ticket()
    {
        using var expo = StartExpo();
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        await AddDeviceAsync(tenant, "ann", "expo", "ExponentPushToken[phone]");
        await AddDeviceAsync(tenant, "ann", "expo", "ExponentPushToken[tablet]");
        await using var dispatcher = fixture.StartDispatcher(Settings(expo));

        var id = (await DirectQueue.QueueAsync(fixture, tenant, Channel.Push, [("ann", Content("Shipped"))]))[0];
        await DirectQueue.WakeAsync(fixture, Channel.Push);

        var message = await WaitForFinalAsync(fixture, id);
        Assert.True(message.Status == MessageStatus.Sent, $"{message.Status}: {message.LastError}");
        Assert.StartsWith("receipt-", message.ProviderMessageId, StringComparison.Ordinal);

        var request = Assert.Single(Requests(expo, SendPath));
        Assert.Equal("POST", request.RequestMessage.Method);
        Assert.Equal("Bearer " + AccessToken, Header(request, "Authorization"));
        Assert.Contains("application/json", Header(request, "Accept"), StringComparison.Ordinal);
        Assert.StartsWith("application/json", Header(request, "Content-Type"), StringComparison.Ordinal);
        using var body = JsonDocument.Parse(request.RequestMessage.Body!);
        var sent = body.RootElement.EnumerateArray().ToList();
        Assert.Equal(["ExponentPushToken[phone]", "ExponentPushToken[tablet]"], sent.Select(m => m.GetProperty("to").GetString()).Order());
        Assert.All(sent, m =>
        {
            Assert.Equal("Shipped", m.GetProperty("title").GetString());
            Assert.Equal("Your order shipped.", m.GetProperty("body").GetString());
            Assert.Equal(id.ToString(), m.GetProperty("data").GetProperty("messageId").GetString());
            Assert.Equal("42", m.GetProperty("data").GetProperty("orderId").GetString());
        });
        Assert.Equal(2, await Poll.UntilAsync(async () => (await TokensAsync(fixture, tenant)).Count, "the devices"));
    }

    [Fact]
    public async Task DeviceNotRegistered_prunes_that_device_and_a_recipient_left_without_devices_fails_with_COMMS_NO_DEVICE()
    {
        using var expo = StartExpo();
        var tenant = await TestTenant.CreateAsync(fixture, "bea", "cal");
        await AddDeviceAsync(tenant, "bea", "expo", "ExponentPushToken[bea-live]");
        await AddDeviceAsync(tenant, "bea", "expo", "ExponentPushToken[bea-dead]");
        await AddDeviceAsync(tenant, "cal", "expo", "ExponentPushToken[cal-dead]");
        await using var dispatcher = fixture.StartDispatcher(Settings(expo));

        var ids = await DirectQueue.QueueAsync(fixture, tenant, Channel.Push, [("bea", Content("For Bea")), ("cal", Content("For Cal"))]);
        await DirectQueue.WakeAsync(fixture, Channel.Push);

        var bea = await WaitForFinalAsync(fixture, ids[0]);
        var cal = await WaitForFinalAsync(fixture, ids[1]);
        Assert.True(bea.Status == MessageStatus.Sent, $"{bea.Status}: {bea.LastError}");
        Assert.Equal(MessageStatus.Failed, cal.Status);
        Assert.StartsWith("COMMS_NO_DEVICE:", cal.LastError, StringComparison.Ordinal);
        Assert.Contains("DeviceNotRegistered", cal.LastError, StringComparison.Ordinal);
        Assert.Equal(1, cal.Attempts);
        Assert.Equal(["ExponentPushToken[bea-live]"], await TokensAsync(fixture, tenant));
    }

    [Fact]
    public async Task An_expo_500_is_retried_and_the_message_is_delivered_once()
    {
        using var expo = StartExpo(failFirst: 1);
        var tenant = await TestTenant.CreateAsync(fixture, "dan");
        await AddDeviceAsync(tenant, "dan", "expo", "ExponentPushToken[dan]");
        await using var dispatcher = fixture.StartDispatcher(Settings(expo));

        var id = (await DirectQueue.QueueAsync(fixture, tenant, Channel.Push, [("dan", Content("Retry me"))]))[0];
        await DirectQueue.WakeAsync(fixture, Channel.Push);

        var message = await WaitForFinalAsync(fixture, id);
        Assert.True(message.Status == MessageStatus.Sent, $"{message.Status}: {message.LastError}");
        Assert.Equal(2, message.Attempts);
        var requests = Requests(expo, SendPath);
        Assert.Equal([500, 200], requests.Select(r => Convert.ToInt32(r.ResponseMessage.StatusCode, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task An_expo_400_fails_the_message_at_once_with_the_error_code_and_keeps_the_device()
    {
        using var expo = WireMockServer.Start();
        expo.Given(Request.Create().WithPath(SendPath).UsingPost()).RespondWith(Response.Create().WithCallback(_ => Json(400,
            """{"errors":[{"code":"PUSH_TOO_MANY_EXPERIENCE_IDS","message":"All push notification messages in the same request must be for the same project."}]}""")));
        var tenant = await TestTenant.CreateAsync(fixture, "ivy");
        await AddDeviceAsync(tenant, "ivy", "expo", "ExponentPushToken[ivy]");
        await using var dispatcher = fixture.StartDispatcher(Settings(expo));

        var id = (await DirectQueue.QueueAsync(fixture, tenant, Channel.Push, [("ivy", Content("Rejected"))]))[0];
        await DirectQueue.WakeAsync(fixture, Channel.Push);

        var message = await WaitForFinalAsync(fixture, id);
        Assert.Equal(MessageStatus.Failed, message.Status);
        Assert.Equal(1, message.Attempts);
        Assert.Equal("COMMS_PROVIDER_REJECTED: Expo answered 400 (PUSH_TOO_MANY_EXPERIENCE_IDS).", message.LastError);
        Assert.Equal(["ExponentPushToken[ivy]"], await TokensAsync(fixture, tenant));
        Assert.Single(Requests(expo, SendPath));
    }

    [Fact]
    public async Task A_receipt_saying_DeviceNotRegistered_prunes_the_device_after_the_message_was_sent()
    {
        using var expo = StartExpo();
        var tenant = await TestTenant.CreateAsync(fixture, "kim");
        await AddDeviceAsync(tenant, "kim", "expo", "ExponentPushToken[kim-kept]");
        await AddDeviceAsync(tenant, "kim", "expo", "ExponentPushToken[kim-gone]");
        var settings = Settings(expo);
        settings["Comms:Providers:Expo:ReceiptsAfter"] = "00:00:00.100";
        settings["Comms:Providers:Expo:ReceiptPollInterval"] = "00:00:00.100";
        await using var dispatcher = fixture.StartDispatcher(settings);

        var id = (await DirectQueue.QueueAsync(fixture, tenant, Channel.Push, [("kim", Content("Receipts"))]))[0];
        await DirectQueue.WakeAsync(fixture, Channel.Push);

        var message = await WaitForFinalAsync(fixture, id);
        Assert.True(message.Status == MessageStatus.Sent, $"{message.Status}: {message.LastError}");
        await Poll.UntilAsync(async () => (await TokensAsync(fixture, tenant)).Count == 1, "the receipt to prune the uninstalled device");
        Assert.Equal(["ExponentPushToken[kim-kept]"], await TokensAsync(fixture, tenant));

        var asked = Requests(expo, ReceiptsPath).SelectMany(r =>
        {
            using var body = JsonDocument.Parse(r.RequestMessage.Body!);
            return body.RootElement.GetProperty("ids").EnumerateArray().Select(i => i.GetString()!).ToList();
        }).ToList();
        Assert.Contains(asked, i => i.EndsWith("|ExponentPushToken[kim-gone]", StringComparison.Ordinal));
        Assert.Contains(asked, i => i.EndsWith("|ExponentPushToken[kim-kept]", StringComparison.Ordinal));
        Assert.Equal(MessageStatus.Sent, (await DirectQueue.MessageAsync(fixture, id)).Status);
    }
}
