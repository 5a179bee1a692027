using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Contexts;
using Comms.Core.Data;
using Comms.Core.Queueing;
using Comms.Core.Routing;
using Comms.IntegrationTests.Infrastructure;
using Comms.TestServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Comms.IntegrationTests.Contexts;

/// <summary>Scheduled messages (SPEC S7): firing — two schedulers racing, a crashed run taken over, a paused context.</summary>
public sealed partial class ScheduledMessagesTests
{
    [Fact]
    public async Task Two_schedulers_racing_on_the_same_due_messages_fire_each_once()
    {
        var tenant = await PartyAsync("race", DateTimeOffset.UtcNow.AddDays(60));
        var sendAt = DateTimeOffset.UtcNow.AddDays(5);
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var created = await OkJsonAsync(await tenant.ApiClient().PostAsJsonAsync("/v1/contexts/race/messages", new
            {
                subject = $"Race {i}", body = "Hello {{guest_name}}", channels = new[] { "in_app", "email" }, status = "scheduled", sendAt,
            }), HttpStatusCode.Created);
            ids.Add(created.GetProperty("id").GetString()!);
        }

        // The schedulers live five days ahead: only they find these messages due (the service's scheduler, on the real clock, does not).
        var clock = new FakeTimeProvider(sendAt.AddMinutes(1));
        var first = Scheduler(clock);
        var second = Scheduler(clock);
        var claims = await Task.WhenAll(Enumerable.Range(0, 2).Select(async n =>
        {
            var scheduler = n == 0 ? first : second;
            var total = 0;
            while (await scheduler.FireDueAsync($"racer-{n}", 1, CancellationToken.None) is > 0 and var claimed)
            {
                total += claimed;
            }

            return total;
        }));

        await using var db = fixture.CreateDbContext();
        var messages = await db.ScheduledMessages.Where(m => m.TenantId == tenant.Id && m.Kind == ScheduledMessageKind.Custom).ToListAsync();
        Assert.All(messages, m => Assert.Equal((ScheduledMessageStatus.Sent, 4), (m.Status, m.RecipientCount)));
        Assert.True(claims.Sum() >= ids.Count, $"claims {string.Join(",", claims)}");
        foreach (var id in ids)
        {
            var deliveries = await db.ScheduledMessageDeliveries.Where(d => d.ScheduledMessageId == Guid.Parse(id)).ToListAsync();
            var events = await db.Events.CountAsync(e => e.TenantId == tenant.Id && e.CauseRef == $"scheduled:{id}");
            Assert.Equal(4, deliveries.Count);
            Assert.Equal(8, events); // 4 guests × 2 channels, each once
        }
    }

    [Fact]
    public async Task A_run_taken_over_after_a_crash_keeps_what_was_recorded_and_hands_only_the_rest_to_the_pipeline()
    {
        var tenant = await PartyAsync("crash", DateTimeOffset.UtcNow.AddDays(60));
        var created = await OkJsonAsync(await tenant.ApiClient().PostAsJsonAsync("/v1/contexts/crash/messages", new
        {
            subject = "Crash", body = "Hello", channels = new[] { "in_app" }, status = "scheduled", sendAt = DateTimeOffset.UtcNow.AddDays(5),
        }), HttpStatusCode.Created);
        var id = Guid.Parse(created.GetProperty("id").GetString()!);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(5).AddMinutes(1));
        await using (var db = fixture.CreateDbContext())
        {
            // A scheduler claimed it, recorded ann's outcome and died: its lease has run out by the clock of the next one.
            var ann = await db.ContextMembers.SingleAsync(m => m.TenantId == tenant.Id && m.ExternalId == "ann");
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"UPDATE scheduled_messages SET status = 'sending', lease_owner = 'crashed', lease_until = {clock.GetUtcNow().AddMinutes(-1)} WHERE id = {id}");
            db.ScheduledMessageDeliveries.Add(new ScheduledMessageDelivery
            {
                Id = Guid.CreateVersion7(), TenantId = tenant.Id, ScheduledMessageId = id, RecipientId = ann.RecipientId, ExternalId = "ann",
                Status = DeliveryOutcome.Submitted, EventIds = [Guid.NewGuid()], CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        Assert.True(await Scheduler(clock).FireDueAsync("next", 100, CancellationToken.None) >= 1);

        await using var check = fixture.CreateDbContext();
        var message = await check.ScheduledMessages.SingleAsync(m => m.Id == id);
        var events = await check.Events.Where(e => e.CauseRef == $"scheduled:{id}").Select(e => e.Recipients!).ToListAsync();
        Assert.Equal((ScheduledMessageStatus.Sent, 4), (message.Status, message.RecipientCount));
        Assert.Equal(["ben", "cat", "dan"], events.SelectMany(r => r).Order());
    }

    [Fact]
    public async Task Nothing_fires_while_the_context_is_paused_and_cancelling_it_cancels_what_has_not_fired()
    {
        var tenant = await PartyAsync("paused", DateTimeOffset.UtcNow.AddDays(60));
        var api = tenant.ApiClient();
        var created = await OkJsonAsync(await api.PostAsJsonAsync("/v1/contexts/paused/messages", new
        {
            subject = "Paused", body = "Hello", channels = new[] { "in_app" }, status = "scheduled", sendAt = DateTimeOffset.UtcNow.AddDays(5),
        }), HttpStatusCode.Created);
        var id = Guid.Parse(created.GetProperty("id").GetString()!);
        var scheduler = Scheduler(new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(5).AddMinutes(1)));
        async Task<string> StatusAsync()
        {
            await using var db = fixture.CreateDbContext();
            return await db.ScheduledMessages.Where(m => m.Id == id).Select(m => m.Status).SingleAsync();
        }

        await OkJsonAsync(await api.PostAsJsonAsync("/v1/contexts/paused/status", new { status = "paused" }), HttpStatusCode.OK);
        await scheduler.FireDueAsync("paused-test", 100, CancellationToken.None);
        var whilePaused = await StatusAsync();
        await OkJsonAsync(await api.PostAsJsonAsync("/v1/contexts/paused/status", new { status = "resumed" }), HttpStatusCode.OK);
        await scheduler.FireDueAsync("paused-test", 100, CancellationToken.None);
        var afterResume = await StatusAsync();
        await OkJsonAsync(await api.PostAsJsonAsync("/v1/contexts/paused/status", new { status = "cancelled" }), HttpStatusCode.OK);
        var reminders = await api.GetFromJsonAsync<JsonElement>("/v1/contexts/paused/messages");

        Assert.Equal(ScheduledMessageStatus.Scheduled, whilePaused);
        Assert.Equal(ScheduledMessageStatus.Sent, afterResume);
        Assert.All(reminders.EnumerateArray().Where(m => m.GetProperty("kind").GetString() != "custom"),
            m => Assert.Equal("cancelled", m.GetProperty("status").GetString()));
    }
}
