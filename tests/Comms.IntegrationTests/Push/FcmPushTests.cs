using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Isolation;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static Comms.IntegrationTests.Push.PushWorld;

namespace Comms.IntegrationTests.Push;

/// <summary>
/// Push through FCM HTTP v1, against a fake speaking its wire format (PROVIDERS.md section 4) and a fake Google token
/// endpoint (the service account's <c>token_uri</c>) that checks the signed JWT grant like Google does.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class FcmPushTests(CommsFixture fixture) : IDisposable
{
    private const string Project = "comms-test";
    private const string SendPath = "/v1/projects/comms-test/messages:send";
    private const string AccessToken = "ya29.c.test-access-token";
    private const string ClientEmail = "push@comms-test.iam.gserviceaccount.com";

    private readonly RSA _key = RSA.Create(2048);

    public void Dispose() => _key.Dispose();

    /// <summary>The fake FCM: <c>UNREGISTERED</c> for tokens containing "dead", 503 UNAVAILABLE for the first <paramref name="failFirst"/> sends, else ok.</summary>
    private WireMockServer StartFcm(int failFirst = 0)
    {
        var server = WireMockServer.Start();
        server.Given(Request.Create().WithPath("/token").UsingPost()).RespondWith(Response.Create().WithCallback(request =>
        {
            var form = request.Body!.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
            return form.GetValueOrDefault("grant_type") == "urn:ietf:params:oauth:grant-type:jwt-bearer" && IsSignedGrant(form.GetValueOrDefault("assertion"))
                ? Json(200, $$"""{"access_token":"{{AccessToken}}","expires_in":3599,"token_type":"Bearer"}""")
                : Json(400, """{"error":"invalid_grant","error_description":"Invalid JWT Signature."}""");
        }));
        var calls = 0;
        server.Given(Request.Create().WithPath(SendPath).UsingPost()).RespondWith(Response.Create().WithCallback(request =>
        {
            if (Interlocked.Increment(ref calls) <= failFirst)
            {
                return Json(503, """{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNAVAILABLE"}]}}""",
                    ("Retry-After", "0"));
            }

            using var body = JsonDocument.Parse(request.Body!);
            return body.RootElement.GetProperty("message").GetProperty("token").GetString()!.Contains("dead", StringComparison.Ordinal)
                ? Json(404, """{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNREGISTERED"}]}}""")
                : Json(200, $$"""{"name":"projects/{{Project}}/messages/0:{{Guid.NewGuid():N}}"}""");
        }));
        return server;
    }

    /// <summary>
    /// The RS256 JWT grant is signed by the service account's key, for the FCM scope, addressed (as Google checks) to
    /// Google's token endpoint, whatever URI it is posted to.
    /// </summary>
    private bool IsSignedGrant(string? assertion)
    {
        var parts = assertion?.Split('.') ?? [];
        if (parts.Length != 3)
        {
            return false;
        }

        var signed = _key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var claims = JsonDocument.Parse(Base64Url(parts[1]));
        var root = claims.RootElement;
        return signed
            && root.GetProperty("iss").GetString() == ClientEmail
            && root.GetProperty("aud").GetString() == "https://oauth2.googleapis.com/token"
            && root.GetProperty("scope").GetString() == "https://www.googleapis.com/auth/firebase.messaging";
    }

    private static byte[] Base64Url(string value)
    {
        var s = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }

    private Dictionary<string, string?> Settings(WireMockServer server) => new()
    {
        ["Comms:Providers:Fcm:ServiceAccountJson"] = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = Project,
            ["private_key_id"] = "test-key-1",
            ["private_key"] = _key.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = ClientEmail,
            ["client_id"] = "1234567890",
            ["token_uri"] = server.Url + "/token",
        }),
        ["Comms:Providers:Fcm:BaseUrl"] = server.Url,
    };

    [Fact]
    public async Task A_push_message_is_sent_to_each_fcm_token_with_the_bearer_token_from_the_token_endpoint()
    {
        using var fcm = StartFcm();
        var tenant = await TestTenant.CreateAsync(fixture, "eve");
        await AddDeviceAsync(tenant, "eve", "fcm", "fcm-token-phone");
        await AddDeviceAsync(tenant, "eve", "fcm", "fcm-token-tablet");
        await using var dispatcher = fixture.StartDispatcher(Settings(fcm));

        var content = Content("Shipped") with { CollapseKey = "orders" };
        var id = (await DirectQueue.QueueAsync(fixture, tenant, Channel.Push, [("eve", content)]))[0];
        await DirectQueue.WakeAsync(fixture, Channel.Push);

        var message = await WaitForFinalAsync(fixture, id);
        Assert.True(message.Status == MessageStatus.Sent, $"{message.Status}: {message.LastError}");
        Assert.StartsWith($"projects/{Project}/messages/0:", message.ProviderMessageId, StringComparison.Ordinal);

        Assert.Single(Requests(fcm, "/token"));
        var sends = Requests(fcm, SendPath);
        Assert.Equal(2, sends.Count);
        var tokens = new List<string>();
        foreach (var send in sends)
        {
            Assert.Equal("POST", send.RequestMessage.Method);
            Assert.Equal("Bearer " + AccessToken, Header(send, "Authorization"));
            using var body = JsonDocument.Parse(send.RequestMessage.Body!);
            var sent = body.RootElement.GetProperty("message");
            tokens.Add(sent.GetProperty("token").GetString()!);
            Assert.Equal("Shipped", sent.GetProperty("notification").GetProperty("title").GetString());
            Assert.Equal("Your order shipped.", sent.GetProperty("notification").GetProperty("body").GetString());
            var data = sent.GetProperty("data");
            Assert.All(data.EnumerateObject(), p => Assert.Equal(JsonValueKind.String, p.Value.ValueKind));
            Assert.Equal(id.ToString(), data.GetProperty("messageId").GetString());
            Assert.Equal("42", data.GetProperty("orderId").GetString());
            Assert.Equal("orders", sent.GetProperty("android").GetProperty("collapse_key").GetString());
            Assert.Equal("orders", sent.GetProperty("apns").GetProperty("headers").GetProperty("apns-collapse-id").GetString());
        }

        Assert.Equal(["fcm-token-phone", "fcm-token-tablet"], tokens.Order());
    }

    [Fact]
    public async Task UNREGISTERED_prunes_the_device_and_the_others_still_get_the_message()
    {
        using var fcm = StartFcm();
        var tenant = await TestTenant.CreateAsync(fixture, "fay", "gus");
        await AddDeviceAsync(tenant, "fay", "fcm", "fcm-fay-live");
        await AddDeviceAsync(tenant, "fay", "fcm", "fcm-fay-dead");
        await AddDeviceAsync(tenant, "gus", "fcm", "fcm-gus-dead");
        await using var dispatcher = fixture.StartDispatcher(Settings(fcm));

        var ids = await DirectQueue.QueueAsync(fixture, tenant, Channel.Push, [("fay", Content("For Fay")), ("gus", Content("For Gus"))]);
        await DirectQueue.WakeAsync(fixture, Channel.Push);

        var fay = await WaitForFinalAsync(fixture, ids[0]);
        var gus = await WaitForFinalAsync(fixture, ids[1]);
        Assert.True(fay.Status == MessageStatus.Sent, $"{fay.Status}: {fay.LastError}");
        Assert.Equal(MessageStatus.Failed, gus.Status);
        Assert.StartsWith("COMMS_NO_DEVICE:", gus.LastError, StringComparison.Ordinal);
        Assert.Contains("UNREGISTERED", gus.LastError, StringComparison.Ordinal);
        Assert.Equal(["fcm-fay-live"], await TokensAsync(fixture, tenant));
    }

    [Fact]
    public async Task An_fcm_503_UNAVAILABLE_is_retried_and_the_message_is_delivered_once()
    {
        using var fcm = StartFcm(failFirst: 1);
        var tenant = await TestTenant.CreateAsync(fixture, "hal");
        await AddDeviceAsync(tenant, "hal", "fcm", "fcm-hal");
        await using var dispatcher = fixture.StartDispatcher(Settings(fcm));

        var id = (await DirectQueue.QueueAsync(fixture, tenant, Channel.Push, [("hal", Content("Retry me"))]))[0];
        await DirectQueue.WakeAsync(fixture, Channel.Push);

        var message = await WaitForFinalAsync(fixture, id);
        Assert.True(message.Status == MessageStatus.Sent, $"{message.Status}: {message.LastError}");
        Assert.Equal(2, message.Attempts);
        Assert.Equal([503, 200], Requests(fcm, SendPath).Select(r => Convert.ToInt32(r.ResponseMessage.StatusCode, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task A_recipient_with_expo_and_fcm_devices_gets_the_message_through_both_providers()
    {
        using var fcm = StartFcm();
        using var expo = ExpoPushTests.StartExpo();
        var tenant = await TestTenant.CreateAsync(fixture, "joy");
        await AddDeviceAsync(tenant, "joy", "fcm", "fcm-joy");
        await AddDeviceAsync(tenant, "joy", "expo", "ExponentPushToken[joy]");
        await AddDeviceAsync(tenant, "joy", "webpush", "https://push.example.test/joy");
        await using var dispatcher = fixture.StartDispatcher(Settings(fcm).Concat(ExpoPushTests.Settings(expo)).ToDictionary());

        var id = (await DirectQueue.QueueAsync(fixture, tenant, Channel.Push, [("joy", Content("Both"))]))[0];
        await DirectQueue.WakeAsync(fixture, Channel.Push);

        var message = await WaitForFinalAsync(fixture, id);
        Assert.True(message.Status == MessageStatus.Sent, $"{message.Status}: {message.LastError}");
        using var fcmBody = JsonDocument.Parse(Assert.Single(Requests(fcm, SendPath)).RequestMessage.Body!);
        Assert.Equal("fcm-joy", fcmBody.RootElement.GetProperty("message").GetProperty("token").GetString());
        using var expoBody = JsonDocument.Parse(Assert.Single(Requests(expo, "/--/api/v2/push/send")).RequestMessage.Body!);
        Assert.Equal("ExponentPushToken[joy]", Assert.Single(expoBody.RootElement.EnumerateArray()).GetProperty("to").GetString());
        Assert.Equal(3, (await TokensAsync(fixture, tenant)).Count);
    }
}
