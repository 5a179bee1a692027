using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Isolation;
using Comms.IntegrationTests.Push;
using Microsoft.EntityFrameworkCore;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static Comms.IntegrationTests.Push.PushWorld;

namespace Comms.IntegrationTests.Dispatching;

/// <summary>One request the fake FCM received: when (the fake's clock), for which message, and what it answered.</summary>
public sealed record FcmHit(DateTime At, Guid MessageId, int Status);

/// <summary>
/// A fake FCM HTTP v1 (WireMock.Net): a token endpoint and <c>messages:send</c>, answering 200 — or 503 UNAVAILABLE while
/// <see cref="Failing"/> — and able to stop and start again on the same port (the provider gone, then back). Every send it
/// received, on every start, is in <see cref="Hits"/>, timed by WireMock's request log.
/// </summary>
public sealed class FakeFcm : IDisposable
{
    public const string Project = "comms-dispatch";
    private const string SendPath = "/v1/projects/comms-dispatch/messages:send";

    private readonly RSA _key = RSA.Create(2048);
    private readonly ConcurrentQueue<FcmHit> _stopped = new();
    private WireMockServer _server;

    public FakeFcm()
    {
        _server = Start(port: null);
        Port = _server.Port;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>While true, every send is answered 503 UNAVAILABLE.</summary>
    public bool Failing { get; set; }

    /// <summary>While true, every send is answered 400 INVALID_ARGUMENT (a rejection of that message, not an outage).</summary>
    public bool Rejecting { get; set; }

    public bool Running { get; private set; } = true;

    /// <summary>Every send received so far (those of earlier starts included).</summary>
    public IReadOnlyList<FcmHit> Hits => [.. _stopped, .. Running ? Read(_server) : []];

    /// <summary>The provider goes away: connections are refused until <see cref="Restart"/>.</summary>
    public void Stop()
    {
        _server.Stop();
        foreach (var hit in Read(_server))
        {
            _stopped.Enqueue(hit);
        }

        Running = false;
    }

    /// <summary>The provider is back, on the same port.</summary>
    public void Restart()
    {
        _server = Start(Port);
        Running = true;
    }

    /// <summary>Dispatcher settings: FCM through this fake, plus <paramref name="extra"/>.</summary>
    public Dictionary<string, string?> Settings(params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Comms:Providers:Fcm:ServiceAccountJson"] = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["type"] = "service_account",
                ["project_id"] = Project,
                ["private_key_id"] = "dispatch-key-1",
                ["private_key"] = _key.ExportPkcs8PrivateKeyPem(),
                ["client_email"] = "push@comms-dispatch.iam.gserviceaccount.com",
                ["client_id"] = "1234567890",
                ["token_uri"] = Url + "/token",
            }),
            ["Comms:Providers:Fcm:BaseUrl"] = Url,
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>A tenant whose recipient <c>ann</c> has one FCM device, and <paramref name="count"/> push messages to her, due now.</summary>
    public static async Task<(TestTenant Tenant, IReadOnlyList<Guid> Ids)> QueueAsync(CommsFixture fixture, int count, TestTenant? tenant = null)
    {
        tenant ??= await TestTenant.CreateAsync(fixture, "ann");
        await AddDeviceAsync(tenant, "ann", "fcm", "fcm-ann-" + tenant.Id);
        var ids = await DirectQueue.QueueAsync(fixture, tenant, Channel.Push, Enumerable.Range(0, count).Select(i => ("ann", Content($"Message {i}"))));
        return (tenant, ids);
    }

    /// <summary>Cancels what a test left queued for a tenant, so that no later test's dispatcher sends it.</summary>
    public static async Task CancelQueuedAsync(CommsFixture fixture, string tenantId)
    {
        await using var db = fixture.CreateDbContext();
        await db.Messages.Where(m => m.TenantId == tenantId && m.Status == MessageStatus.Queued)
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.Status, MessageStatus.Cancelled));
    }

    public void Dispose()
    {
        if (Running)
        {
            _server.Stop();
        }

        _server.Dispose();
        _key.Dispose();
    }

    private WireMockServer Start(int? port)
    {
        var server = WireMockServer.Start(new WireMock.Settings.WireMockServerSettings { Port = port, MaxRequestLogCount = 1_000_000 });
        server.Given(Request.Create().WithPath("/token").UsingPost()).RespondWith(Response.Create().WithCallback(_ =>
            Json(200, """{"access_token":"ya29.dispatch","expires_in":3599,"token_type":"Bearer"}""")));
        server.Given(Request.Create().WithPath(SendPath).UsingPost()).RespondWith(Response.Create().WithCallback(_ => Rejecting
            ? Json(400, """{"error":{"code":400,"message":"Invalid JSON payload received.","status":"INVALID_ARGUMENT"}}""")
            : Failing
            ? Json(503, """{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNAVAILABLE"}]}}""")
            : Json(200, $$"""{"name":"projects/{{Project}}/messages/0:{{Guid.NewGuid():N}}"}""")));
        return server;
    }

    private static IEnumerable<FcmHit> Read(WireMockServer server) => server.LogEntries
        .Where(e => e.RequestMessage.Path == SendPath && e.ResponseMessage?.StatusCode is not null)
        .Select(e =>
        {
            using var body = JsonDocument.Parse(e.RequestMessage.Body!);
            var id = body.RootElement.GetProperty("message").GetProperty("data").GetProperty("messageId").GetGuid();
            return new FcmHit(e.RequestMessage.DateTime, id, Convert.ToInt32(e.ResponseMessage.StatusCode, System.Globalization.CultureInfo.InvariantCulture));
        })
        .ToList();
}
