using System.Collections.Concurrent;
using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Comms.IntegrationTests.Sms;

/// <summary>A WireMock server speaking Twilio's Messages API (PROVIDERS.md section 6), the dispatcher settings for it, and SMS in the queue.</summary>
public static class SmsWorld
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";

    /// <summary>The auth token of the fake account; also the API's (CommsFixture), which checks Twilio's webhook signatures with it.</summary>
    public const string AuthToken = CommsFixture.TwilioAuthToken;

    public const string From = "+15017122661";
    public const string MessagesPath = $"/2010-04-01/Accounts/{AccountSid}/Messages.json";

    /// <summary>Twilio's 201 for a queued message (the shape of the Messages resource documentation).</summary>
    public static string Created(string sid, string to, string body) => $$"""
        {"account_sid":"{{AccountSid}}","api_version":"2010-04-01","body":{{System.Text.Json.JsonSerializer.Serialize(body)}},"date_created":"Thu, 24 Aug 2023 05:01:45 +0000",
         "date_sent":null,"date_updated":"Thu, 24 Aug 2023 05:01:45 +0000","direction":"outbound-api","error_code":null,"error_message":null,
         "from":"{{From}}","messaging_service_sid":null,"num_media":"0","num_segments":"1","price":null,"price_unit":null,
         "sid":"{{sid}}","status":"queued","subresource_uris":{"media":"/2010-04-01/Accounts/{{AccountSid}}/Messages/{{sid}}/Media.json"},
         "to":"{{to}}","uri":"/2010-04-01/Accounts/{{AccountSid}}/Messages/{{sid}}.json"}
        """;

    /// <summary>Twilio's error body (e.g. 21211: "The 'To' number +15005550001 is not a valid phone number.").</summary>
    public static string Error(int code, string message, int status = 400) =>
        $$"""{"code":{{code}},"message":{{System.Text.Json.JsonSerializer.Serialize(message)}},"more_info":"https://www.twilio.com/docs/errors/{{code}}","status":{{status}}}""";

    /// <summary>A fake Twilio answering 201 with a fresh SM sid for every message.</summary>
    public static WireMockServer StartTwilio()
    {
        var server = WireMockServer.Start();
        server.Given(Request.Create().WithPath(MessagesPath).UsingPost()).RespondWith(Response.Create().WithCallback(request =>
        {
            var form = Form(request.Body ?? "");
            return Push.PushWorld.Json(201, Created("SM" + Guid.NewGuid().ToString("N"), form.GetValueOrDefault("To", ""), form.GetValueOrDefault("Body", "")));
        }));
        return server;
    }

    public static Dictionary<string, string?> Settings(WireMockServer server) => new()
    {
        ["Comms:Providers:Twilio:AccountSid"] = AccountSid,
        ["Comms:Providers:Twilio:AuthToken"] = AuthToken,
        ["Comms:Providers:Twilio:From"] = From,
        ["Comms:Providers:Twilio:BaseUrl"] = server.Url,
        ["Comms:Links:PublicApiUrl"] = "https://api.comms.test",
    };

    /// <summary>The fields of a form-encoded body.</summary>
    public static Dictionary<string, string> Form(string body) =>
        body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "", StringComparer.Ordinal);

    /// <summary>Queues one SMS per (recipient, phone, text), straight into the send queue; returns their ids.</summary>
    public static async Task<List<Guid>> QueueAsync(CommsFixture fixture, TestTenant tenant, params (string ExternalId, string Phone, string Text)[] messages)
    {
        await using var db = fixture.CreateDbContext();
        var now = DateTimeOffset.UtcNow;
        var ids = new List<Guid>();
        foreach (var (externalId, phone, text) in messages)
        {
            var recipient = await db.Recipients.SingleAsync(r => r.TenantId == tenant.Id && r.ExternalId == externalId);
            recipient.Phone = phone;
            var id = Guid.CreateVersion7();
            db.Messages.Add(new Message
            {
                Id = id, TenantId = tenant.Id, RecipientId = recipient.Id, Channel = Channel.Sms, Category = "account",
                TemplateName = "direct", TemplateVersion = 1, CauseRef = "direct:" + id, Address = phone,
                Status = MessageStatus.Queued, DueAt = now, CreatedAt = now,
            });
            db.MessageRenders.Add(new MessageRender { MessageId = id, TenantId = tenant.Id, Content = new RenderedContent { Text = text }, CreatedAt = now });
            ids.Add(id);
        }

        await db.SaveChangesAsync();
        return ids;
    }
}

/// <summary>Keeps every log line of the services it is added to (to prove secrets stay out of them).</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
    }
}
