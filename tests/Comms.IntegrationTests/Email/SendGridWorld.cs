using System.Text.Json;
using Comms.Core.Data;
using Comms.Core.Messages;
using Comms.Core.Recipients;
using Comms.Core.Tenancy;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static Comms.IntegrationTests.Push.PushWorld;

namespace Comms.IntegrationTests.Email;

/// <summary>
/// The SendGrid tests' own database (the suite's shared dispatcher sends email too, over SMTP: in the shared database it
/// would take these messages), a dispatcher on it, and a WireMock server speaking SendGrid's v3 Mail Send wire format.
/// </summary>
public sealed class SendGridWorld : IAsyncDisposable
{
    public const string SendPath = "/v3/mail/send";
    public const string ApiKey = "SG.test-key.0123456789abcdefghijklmnopqrstuvwxyz";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static (int Port, string Name)? _template;
    private readonly NpgsqlDataSource _dataSource;

    private SendGridWorld(CommsFixture fixture, string connectionString)
    {
        Fixture = fixture;
        ConnectionString = connectionString;
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    public CommsFixture Fixture { get; }

    public string ConnectionString { get; }

    /// <summary>A database of its own (a copy of a migrated template, made once), so no test sees another's messages.</summary>
    public static async Task<SendGridWorld> CreateAsync(CommsFixture fixture)
    {
        await Gate.WaitAsync();
        try
        {
            if (_template is null || _template.Value.Port != fixture.Postgres.Port)
            {
                var template = "sendgrid_template_" + Guid.NewGuid().ToString("N")[..8];
                await fixture.Postgres.CreateDatabaseAsync(template);
                await using (var dataSource = NpgsqlDataSource.Create(fixture.Postgres.ConnectionString(template) + ";Pooling=false"))
                {
                    await CommsDatabase.MigrateAsync(dataSource);
                }

                _template = (fixture.Postgres.Port, template);
            }

            var name = "sendgrid_" + Guid.NewGuid().ToString("N")[..8];
            await using (var admin = new NpgsqlConnection(fixture.Postgres.ConnectionString("postgres")))
            {
                await admin.OpenAsync();
                await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{_template.Value.Name}\"", admin);
                await command.ExecuteNonQueryAsync();
            }

            return new SendGridWorld(fixture, fixture.Postgres.ConnectionString(name));
        }
        finally
        {
            Gate.Release();
        }
    }

    public CommsDbContext Db()
    {
        var options = new DbContextOptionsBuilder<CommsDbContext>();
        options.UseCommsDatabase(_dataSource);
        return new CommsDbContext(options.Options);
    }

    /// <summary>Settings of a dispatcher on this database with SendGrid at <paramref name="sendGrid"/> (and SMTP to MailDev).</summary>
    public Dictionary<string, string?> Settings(WireMockServer sendGrid, string? defaultProvider = "sendgrid") => new()
    {
        ["ConnectionStrings:commsdb"] = ConnectionString,
        ["Comms:Providers:SendGrid:ApiKey"] = ApiKey,
        ["Comms:Providers:SendGrid:BaseUrl"] = sendGrid.Url,
        ["Comms:Channels:Email:Provider"] = defaultProvider,
        ["Comms:Email:From"] = "Comms Test <no-reply@comms.test>",
    };

    /// <summary>A tenant with recipients in this database; returns its id.</summary>
    public async Task<string> TenantAsync(string? emailProvider = null)
    {
        var id = "sg-" + Guid.NewGuid().ToString("N")[..10];
        await using var db = Db();
        db.Tenants.Add(new Tenant { Id = id, Name = id, EmailProvider = emailProvider, CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        return id;
    }

    /// <summary>Queues one email per (address, content) for <paramref name="tenantId"/>, due now; returns their ids in order.</summary>
    public async Task<IReadOnlyList<Guid>> QueueAsync(string tenantId, IEnumerable<(string Address, RenderedContent Content)> emails, string? unsubscribeUrl = null)
    {
        await using var db = Db();
        var now = DateTimeOffset.UtcNow;
        var ids = new List<Guid>();
        foreach (var (address, content) in emails)
        {
            var recipient = new Recipient { Id = Guid.CreateVersion7(), TenantId = tenantId, ExternalId = "r-" + Guid.NewGuid().ToString("N")[..12], Email = address, CreatedAt = now, UpdatedAt = now };
            db.Recipients.Add(recipient);
            var id = Guid.CreateVersion7();
            db.Messages.Add(new Message
            {
                Id = id, TenantId = tenantId, RecipientId = recipient.Id, Channel = Channel.Email, Category = "account",
                TemplateName = "direct", TemplateVersion = 1, CauseRef = "direct:" + id, Address = address,
                Status = MessageStatus.Queued, DueAt = now, CreatedAt = now, UnsubscribeUrl = unsubscribeUrl,
            });
            db.MessageRenders.Add(new MessageRender { MessageId = id, TenantId = tenantId, Content = content, CreatedAt = now });
            ids.Add(id);
        }

        await db.SaveChangesAsync();
        await Comms.IntegrationTests.Isolation.DirectQueue.WakeAsync(Fixture, Channel.Email); // as routing does (a dispatcher started before sleeps)
        return ids;
    }

    public async Task<Message> MessageAsync(Guid id)
    {
        await using var db = Db();
        return await db.Messages.AsNoTracking().SingleAsync(m => m.Id == id);
    }

    public Task<Message> WaitForFinalAsync(Guid id) => Poll.UntilAsync(async () =>
    {
        var message = await MessageAsync(id);
        return message.Status is MessageStatus.Sent or MessageStatus.Failed ? message : null;
    }, $"email {id} to be sent or failed");

    public Task<List<Message>> WaitForAllFinalAsync(IReadOnlyList<Guid> ids) => Poll.UntilAsync(async () =>
    {
        await using var db = Db();
        var messages = await db.Messages.AsNoTracking().Where(m => ids.Contains(m.Id)).ToListAsync();
        return messages.All(m => m.Status is MessageStatus.Sent or MessageStatus.Failed) ? messages : null;
    }, $"{ids.Count} emails to be sent or failed");

    public static RenderedContent Mail(string subject, string text = "Hello there.", string? html = "<p>Hello there.</p>") =>
        new() { Subject = subject, Text = text, Html = html };

    /// <summary>
    /// SendGrid's Mail Send: 401 for another key, 400 when a personalization's address contains "rejected" (SendGrid's error
    /// body), else 202 with an empty body and an <c>X-Message-Id</c>. The first <paramref name="failFirst"/> answers are
    /// <paramref name="failStatus"/> (429 with SendGrid's rate-limit headers, or 500).
    /// </summary>
    public static WireMockServer StartSendGrid(int failFirst = 0, int failStatus = 429)
    {
        var server = WireMockServer.Start();
        var calls = 0;
        server.Given(Request.Create().WithPath(SendPath).UsingPost()).RespondWith(Response.Create().WithCallback(request =>
        {
            if (!string.Equals(HeaderOf(request, "Authorization"), "Bearer " + ApiKey, StringComparison.Ordinal))
            {
                return Json(401, """{"errors":[{"field":null,"message":"The provided authorization grant is invalid, expired, or revoked","help":null}]}""");
            }

            if (Interlocked.Increment(ref calls) <= failFirst)
            {
                return failStatus == 429
                    ? Json(429, """{"errors":[{"field":null,"message":"too many requests"}]}""",
                        ("X-RateLimit-Limit", "600"), ("X-RateLimit-Remaining", "0"),
                        ("X-RateLimit-Reset", DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)))
                    : Json(failStatus, """{"errors":[{"field":null,"message":"internal error"}]}""");
            }

            using var body = JsonDocument.Parse(request.Body!);
            var personalizations = body.RootElement.GetProperty("personalizations").EnumerateArray().ToList();
            var rejected = personalizations.FindIndex(p => p.GetProperty("to")[0].GetProperty("email").GetString()!.Contains("rejected", StringComparison.Ordinal));
            if (rejected >= 0)
            {
                return Json(400, $$"""{"errors":[{"message":"Does not contain a valid address.","field":"personalizations.{{rejected}}.to.0.email","help":"http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.personalizations.to"}]}""");
            }

            var accepted = new ResponseMessage { StatusCode = 202 };
            accepted.AddHeader("X-Message-Id", "sg-" + Guid.NewGuid().ToString("N")[..22]);
            return accepted;
        }));
        return server;
    }

    public static string? HeaderOf(IRequestMessage request, string name) =>
        request.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.ToString();

    public async ValueTask DisposeAsync() => await _dataSource.DisposeAsync();
}
