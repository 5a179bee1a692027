extern alias api;
extern alias dispatcher;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Messages;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Comms.IntegrationTests.Routing;

/// <summary>Nothing is sent twice: Idempotency-Key replays, the database idempotency key, and dedupe keys in Redis.</summary>
[Collection(CommsCollection.Name)]
public sealed class IdempotencyAndDedupeTests(CommsFixture fixture)
{
    private async Task<TestTenant> TenantAsync(object? dedupe = null)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann", "bob");
        await tenant.AddTemplateAsync("booking.changed", Channel.Email, new() { Subject = "Booking {{ booking_id }} {{ status }}", Text = "x" });
        await tenant.AddTemplateAsync("booking.changed", Channel.InApp, new() { Title = "Booking {{ booking_id }} {{ status }}" });
        await tenant.SetRuleAsync("booking.changed", new
        {
            templateName = "booking.changed", category = "booking", channels = new[] { "email", "in_app" }, dedupe,
        });
        return tenant;
    }

    private static object Booking(string cause, int id = 42, string status = "confirmed") => new
    {
        name = "booking.changed", recipients = new[] { "ann", "bob" }, causeRef = cause, payload = new { booking_id = id, status },
    };

    private async Task<List<Message>> MessagesAsync(string tenantId)
    {
        await using var db = fixture.CreateDbContext();
        return await db.Messages.AsNoTracking().Where(m => m.TenantId == tenantId).ToListAsync();
    }

    [Fact]
    public async Task The_same_event_posted_concurrently_through_two_API_replicas_yields_one_message_per_recipient_and_channel()
    {
        var tenant = await TenantAsync();
        await using var secondApi = new ServiceFactory<api::Program>(fixture.Settings);
        var replicas = new[] { tenant.ApiClient(), tenant.ApiClient() };
        replicas[1] = secondApi.CreateClient();
        replicas[1].DefaultRequestHeaders.Authorization = new("Bearer", tenant.ApiKey);

        var ids = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => tenant.PostEventAsync(Booking("booking:42:confirmed"), replicas[i % 2])));
        foreach (var id in ids)
        {
            await tenant.DecisionsAsync(id);
        }

        var messages = await MessagesAsync(tenant.Id);
        Assert.Equal(4, messages.Count);
        Assert.Equal(4, messages.Select(m => (m.RecipientId, m.Channel)).Distinct().Count());
        await using var db = fixture.CreateDbContext();
        Assert.Equal(9 * 4, await db.Decisions.CountAsync(d => d.TenantId == tenant.Id && d.Reason == ReasonCodes.Duplicate));
    }

    [Fact]
    public async Task An_idempotency_key_returns_the_first_response_even_while_the_first_is_in_flight()
    {
        var tenant = await TenantAsync();
        var client = tenant.ApiClient();
        async Task<HttpResponseMessage> PostAsync(object body, string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", key);
            return await client.SendAsync(request);
        }

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostAsync(Booking("k:1"), "key-1")));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<JsonElement>()));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Single(bodies.Select(b => b.GetProperty("id").GetGuid()).Distinct());
        Assert.Equal(7, responses.Count(r => r.Headers.Contains("Idempotent-Replayed")));
        await using (var db = fixture.CreateDbContext())
        {
            Assert.Equal(1, await db.Events.CountAsync(e => e.TenantId == tenant.Id));
        }

        var reused = await PostAsync(Booking("k:2"), "key-1");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Contains("COMMS_IDEMPOTENCY_KEY_REUSED", await reused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_idempotency_key_is_reusable_and_swept_by_maintenance()
    {
        var tenant = await TenantAsync();
        await using (var db = fixture.CreateDbContext())
        {
            var old = DateTimeOffset.UtcNow.AddHours(-25);
            db.IdempotencyRecords.Add(new Comms.Core.Events.IdempotencyRecord
            {
                TenantId = tenant.Id, Key = "old-key", RequestHash = "other", StatusCode = 202, ResponseBody = "{}", CreatedAt = old, ExpiresAt = old.AddHours(24),
            });
            db.IdempotencyRecords.Add(new Comms.Core.Events.IdempotencyRecord
            {
                TenantId = tenant.Id, Key = "stale-key", RequestHash = "other", StatusCode = 202, ResponseBody = "{}", CreatedAt = old, ExpiresAt = old.AddHours(24),
            });
            await db.SaveChangesAsync();
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = JsonContent.Create(Booking("exp:1")) };
        request.Headers.Add("Idempotency-Key", "old-key");
        var response = await tenant.ApiClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.False(response.Headers.Contains("Idempotent-Replayed"));

        var maintenance = fixture.Dispatcher.Services.GetServices<IHostedService>().OfType<dispatcher::Comms.Dispatcher.Maintenance.MaintenanceWorker>().Single();
        Assert.True(await maintenance.DeleteExpiredIdempotencyKeysAsync(CancellationToken.None) >= 1);
        await using var check = fixture.CreateDbContext();
        Assert.Equal(["old-key"], await check.IdempotencyRecords.Where(r => r.TenantId == tenant.Id).Select(r => r.Key).ToListAsync());
    }

    [Fact]
    public async Task A_dedupe_key_drops_a_repeat_within_its_window_but_not_a_new_status()
    {
        var tenant = await TenantAsync(new { key = "BOOKING:{{ booking_id }}:{{ status }}", windowSeconds = 300 });

        var first = await tenant.DecisionsAsync(await tenant.PostEventAsync(Booking("c:1")));
        var repeat = await tenant.DecisionsAsync(await tenant.PostEventAsync(Booking("c:2")));
        var changed = await tenant.DecisionsAsync(await tenant.PostEventAsync(Booking("c:3", status: "cancelled")));

        Assert.All(first, d => Assert.Equal("queued", d.Outcome));
        Assert.All(repeat, d => Assert.Equal(("blocked", ReasonCodes.Duplicate), (d.Outcome, d.Reason)));
        Assert.All(changed, d => Assert.Equal("queued", d.Outcome));
        Assert.Equal(8, (await MessagesAsync(tenant.Id)).Count);
        var key = Comms.Core.Routing.DedupeGuard.KeyFor(tenant.Id, "BOOKING:42:confirmed", (await MessagesAsync(tenant.Id))[0].RecipientId, Channel.Email);
        var ttl = await fixture.RedisClient.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(300));
    }

    [Fact]
    public async Task Bulk_is_all_or_nothing_and_names_the_bad_item()
    {
        var tenant = await TenantAsync();
        var bad = new { name = "booking.changed", recipients = new[] { "ann" }, payload = new { booking_id = 1, status = "x" } };

        var response = await tenant.ApiClient().PostAsJsonAsync("/v1/events/bulk", new { events = new[] { Booking("b:1"), bad } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("events[1].causeRef", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = fixture.CreateDbContext();
        Assert.False(await db.Events.AnyAsync(e => e.TenantId == tenant.Id));

        var ok = await tenant.ApiClient().PostAsJsonAsync("/v1/events/bulk", new { events = new[] { Booking("b:1"), Booking("b:2", 7) } });
        Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        Assert.Equal(2, (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32());
    }
}
