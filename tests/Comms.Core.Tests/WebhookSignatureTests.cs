using System.Net;
using System.Net.Sockets;
using Comms.Core.Webhooks;

namespace Comms.Core.Tests;

/// <summary>Standard Webhooks v1 signatures on the specification's official test vector, and the SSRF guard of webhook targets.</summary>
public sealed class WebhookSignatureTests
{
    // The official vector (standard-webhooks libraries/python/tests/test_webhooks.py): note the space in the body.
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long Timestamp = 1614265330;
    private const string Body = "{\"test\": 2432232314}";
    private const string Expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(Timestamp);

    [Fact]
    public void The_official_vector_signs_to_the_official_signature()
    {
        Assert.Equal(Expected, WebhookSignature.Sign(Secret, Id, Timestamp, Body));
        Assert.Equal(Expected, WebhookSignature.Sign(Secret["whsec_".Length..], Id, Timestamp, Body));
    }

    [Fact]
    public void Verification_accepts_the_vector_and_refuses_the_suites_invalid_signature_a_changed_body_and_a_stale_timestamp()
    {
        var tolerance = TimeSpan.FromMinutes(5);
        Assert.True(WebhookSignature.Verify(Secret, Id, "1614265330", Body, Expected, At, tolerance));
        Assert.True(WebhookSignature.Verify(Secret, Id, "1614265330", Body, "v1,bm90LXRoZS1zaWduYXR1cmU= " + Expected, At, tolerance));
        Assert.False(WebhookSignature.Verify(Secret, Id, "1614265330", Body, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=", At, tolerance));
        Assert.False(WebhookSignature.Verify(Secret, Id, "1614265330", "{\"test\":2432232314}", Expected, At, tolerance));
        Assert.False(WebhookSignature.Verify(Secret, Id, "1614265330", Body, "v2" + Expected[2..], At, tolerance));
        Assert.False(WebhookSignature.Verify(Secret, Id, "1614265330", Body, Expected, At.AddMinutes(6), tolerance));
        Assert.False(WebhookSignature.Verify(Secret, Id, "1614265330", Body, Expected, At.AddMinutes(-6), tolerance));
    }

    [Fact]
    public void New_secrets_are_whsec_and_32_random_bytes()
    {
        var a = WebhookSignature.NewSecret();
        Assert.StartsWith("whsec_", a, StringComparison.Ordinal);
        Assert.Equal(32, WebhookSignature.Key(a).Length);
        Assert.NotEqual(a, WebhookSignature.NewSecret());
    }

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.0.1", "private")]
    [InlineData("100.64.0.1", "private")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("224.0.0.251", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("::1", "loopback")]
    [InlineData("::", "unspecified")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fd12:3456::1", "unique-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("::ffff:192.168.1.1", "private")]
    public void Non_public_addresses_are_refused_with_their_reason(string address, string reason)
    {
        Assert.Contains(reason, WebhookTargets.RefusedBecause(IPAddress.Parse(address)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700:4700::1111")]
    public void Public_addresses_pass(string address) => Assert.Null(WebhookTargets.RefusedBecause(IPAddress.Parse(address)));

    [Fact]
    public async Task The_connect_time_check_refuses_a_private_address_before_connecting_and_passes_when_allowed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        using var strict = new HttpClient(WebhookTargets.CreateHandler(allowPrivate: false));
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => strict.GetAsync($"http://127.0.0.1:{port}/"));
        Assert.IsType<WebhookTargetRefusedException>(refused.InnerException);
        Assert.Contains("loopback", refused.InnerException!.Message, StringComparison.Ordinal);
        var byName = await Assert.ThrowsAsync<HttpRequestException>(() => strict.GetAsync($"http://localhost:{port}/"));
        Assert.IsType<WebhookTargetRefusedException>(byName.InnerException);
        Assert.False(listener.Pending());

        using var allowed = new HttpClient(WebhookTargets.CreateHandler(allowPrivate: true));
        var accepting = listener.AcceptTcpClientAsync();
        var send = allowed.GetAsync($"http://127.0.0.1:{port}/");
        using var accepted = await accepting;
        Assert.True(accepted.Connected);
        allowed.CancelPendingRequests();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
    }
}
