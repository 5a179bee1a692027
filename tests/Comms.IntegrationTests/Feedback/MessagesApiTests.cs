using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Audit;
using Comms.Core.Messages;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Comms.IntegrationTests.Feedback;

/// <summary>
/// Dead letters: webhook-channel messages an endpoint refuses (400) are failed; they are listed with filters, shown one by
/// one, re-sent one by one or in bulk (audited, attempts reset, delivered once the endpoint accepts), isolated per tenant.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class MessagesApiTests(CommsFixture fixture) : IDisposable
{
    private readonly WireMockServer _server = WireMockServer.Start();

    public void Dispose() => _server.Stop();

    private async Task<TestTenant> TenantWithRefusingEndpointAsync()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        await tenant.AddTemplateAsync("order.shipped", Channel.Webhook, new TemplateContent { Json = """{"orderId":"{{ order_id }}"}""" });
        await tenant.SetRuleAsync("order.shipped", new { templateName = "order.shipped", category = "account", channels = new[] { Channel.Webhook } });
        _server.Given(Request.Create().WithPath("/hook").UsingPost()).AtPriority(10).RespondWith(Response.Create().WithStatusCode(400));
        var response = await tenant.ApiClient().PostAsJsonAsync("/v1/webhook-endpoints", new { url = $"http://127.0.0.1:{_server.Port}/hook", eventTypes = new[] { "order.shipped" } });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return tenant;
    }

    private void Accept() =>
        _server.Given(Request.Create().WithPath("/hook").UsingPost()).AtPriority(1).RespondWith(Response.Create().WithStatusCode(200));

    private async Task<Guid> FailedMessageAsync(TestTenant tenant, string order)
    {
        var eventId = await tenant.PostEventAsync(new { name = "order.shipped", recipients = new[] { "alice" }, causeRef = "order:" + order, payload = new { order_id = order } });
        return (await FeedbackTestSupport.MessageAsync(fixture, eventId, Channel.Webhook, MessageStatus.Failed)).Id;
    }

    private static async Task<Guid> KeyIdAsync(CommsFixture fixture, TestTenant tenant)
    {
        await using var db = fixture.CreateDbContext();
        return await db.ApiKeys.Where(k => k.TenantId == tenant.Id && k.Name == "test").Select(k => k.Id).SingleAsync();
    }

    [Fact]
    public async Task A_failed_message_is_listed_shown_and_re_sent_once_audited_and_other_tenants_see_404()
    {
        var tenant = await TenantWithRefusingEndpointAsync();
        var id = await FailedMessageAsync(tenant, "A-1");
        var api = tenant.ApiClient();

        var page = await api.GetFromJsonAsync<JsonElement>("/v1/messages?status=failed&channel=webhook&recipient=alice");
        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal(id, item.GetProperty("id").GetGuid());
        Assert.Empty((await api.GetFromJsonAsync<JsonElement>("/v1/messages?status=failed&channel=email")).GetProperty("items").EnumerateArray());
        Assert.Empty((await api.GetFromJsonAsync<JsonElement>("/v1/messages?status=failed&recipient=bob")).GetProperty("items").EnumerateArray());
        Assert.Empty((await api.GetFromJsonAsync<JsonElement>($"/v1/messages?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}")).GetProperty("items").EnumerateArray());

        var shown = await api.GetFromJsonAsync<JsonElement>($"/v1/messages/{id}");
        Assert.Equal("failed", shown.GetProperty("status").GetString());
        Assert.Equal(1, shown.GetProperty("attempts").GetInt32());
        Assert.Equal("alice", shown.GetProperty("recipientExternalId").GetString());
        Assert.Equal("webhook", shown.GetProperty("channel").GetString());
        Assert.Contains("answered HTTP 400", shown.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(JsonValueKind.Null, shown.GetProperty("failedAt").ValueKind);

        var other = await TestTenant.CreateAsync(fixture);
        Assert.Equal(HttpStatusCode.NotFound, (await other.ApiClient().GetAsync($"/v1/messages/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.ApiClient().PostAsync($"/v1/messages/{id}/resend", null)).StatusCode);
        Assert.Empty((await other.ApiClient().GetFromJsonAsync<JsonElement>("/v1/messages")).GetProperty("items").EnumerateArray());
        var otherBulk = await other.ApiClient().PostAsJsonAsync("/v1/messages/resend", new { ids = new[] { id } });
        Assert.Equal(0, (await otherBulk.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requeued").GetInt32());

        Accept();
        using var resent = await api.PostAsync($"/v1/messages/{id}/resend", null);
        Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
        var sent = await Poll.UntilAsync(async () =>
        {
            var m = await FeedbackTestSupport.ReloadAsync(fixture, id);
            return m.Status == MessageStatus.Sent ? m : null;
        }, "the re-sent message to be sent");
        Assert.Equal(1, sent.Attempts);
        Assert.Null(sent.FailedAt);

        using var again = await api.PostAsync($"/v1/messages/{id}/resend", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("COMMS_MESSAGE_NOT_RESENDABLE", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());

        await using var db = fixture.CreateDbContext();
        var audit = await db.AuditLog.AsNoTracking().Where(a => a.TenantId == tenant.Id).ToListAsync();
        var record = Assert.Single(audit);
        Assert.Equal((AuditActions.MessageResend, "message:" + id, AuditLog.ApiKeyActor(await KeyIdAsync(fixture, tenant))), (record.Action, record.Target, record.Actor));
        Assert.Contains("\"previousStatus\": \"failed\"", record.Metadata, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bulk_resend_by_filter_honours_max_and_by_ids_and_lists_page_newest_first()
    {
        var tenant = await TenantWithRefusingEndpointAsync();
        var ids = new List<Guid>();
        foreach (var order in new[] { "B-1", "B-2", "B-3" })
        {
            ids.Add(await FailedMessageAsync(tenant, order));
        }

        var api = tenant.ApiClient();
        var first = await api.GetFromJsonAsync<JsonElement>("/v1/messages?limit=2");
        Assert.Equal([ids[2], ids[1]], first.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
        var next = first.GetProperty("nextBefore").GetGuid();
        var second = await api.GetFromJsonAsync<JsonElement>($"/v1/messages?limit=2&before={next}");
        Assert.Equal([ids[0]], second.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextBefore").ValueKind);

        foreach (var bad in new object[]
                 {
                     new { ids = new[] { ids[0] }, filter = new { status = "failed" } },
                     new { filter = new { status = "sent" } },
                     new { filter = new { channel = "fax" } },
                     new { filter = new { status = "failed" }, max = 0 },
                     new { ids = Array.Empty<Guid>() },
                 })
        {
            using var refused = await api.PostAsJsonAsync("/v1/messages/resend", bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/v1/messages?status=lost")).StatusCode);

        Accept();
        using var byFilter = await api.PostAsJsonAsync("/v1/messages/resend", new { filter = new { status = "failed", channel = "webhook" }, max = 2 });
        var answer = await byFilter.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, answer.GetProperty("requeued").GetInt32());
        Assert.Equal(new HashSet<Guid> { ids[2], ids[1] }, answer.GetProperty("requeuedIds").EnumerateArray().Select(i => i.GetGuid()).ToHashSet());

        using var byIds = await api.PostAsJsonAsync("/v1/messages/resend", new { ids = new[] { ids[0], ids[1] } });
        var second2 = await byIds.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([ids[0]], second2.GetProperty("requeuedIds").EnumerateArray().Select(i => i.GetGuid()));

        await Poll.UntilAsync(async () =>
        {
            await using var db = fixture.CreateDbContext();
            return await db.Messages.CountAsync(m => ids.Contains(m.Id) && m.Status == MessageStatus.Sent) == 3;
        }, "the three re-sent messages to be sent");
        await using var check = fixture.CreateDbContext();
        Assert.Equal(3, await check.AuditLog.CountAsync(a => a.TenantId == tenant.Id && a.Action == AuditActions.MessageResend));
    }
}
