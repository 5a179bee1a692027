using Comms.Core.Messages;
using Comms.Core.Queueing;
using Comms.Core.Recipients;
using Comms.Core.Routing;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Routing;

/// <summary>
/// The set-based expansion of an audience (chunks planned one ahead, each written by one statement that claims the
/// idempotency keys itself while the <c>messages_idempotency</c> trigger stands aside): every message has its key, an
/// expansion run again from the start writes no second message, and other writers keep the trigger.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class AudienceExpansionTests(CommsFixture fixture)
{
    private const int Audience = EventRouter.ChunkSize * 2 + 345;

    [Fact]
    public async Task An_audience_expanded_twice_gets_one_message_and_one_key_per_recipient_the_repeat_recorded_as_duplicates()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        await tenant.AddTemplateAsync("expansion", Channel.Email, new() { Subject = "Hello {{ recipient.name }}", Text = "Hi {{ recipient.name }}" });
        await tenant.SetRuleAsync("expansion", new { templateName = "expansion", category = "account", channels = new[] { "email" } });
        var now = DateTimeOffset.UtcNow;
        await using (var db = fixture.CreateDbContext())
        {
            for (var i = 0; i < Audience; i++)
            {
                // Inside quiet hours all day: the email is a queued, deferred row and nothing is sent meanwhile.
                db.Recipients.Add(new Recipient
                {
                    Id = Guid.CreateVersion7(), TenantId = tenant.Id, ExternalId = $"x{i:D4}", Name = $"User {i}", Email = $"x{i:D4}@expansion.test",
                    QuietHoursEnabled = true, QuietHoursStart = new TimeOnly(0, 0), QuietHoursEnd = new TimeOnly(23, 59), TimeZone = "UTC",
                    CreatedAt = now, UpdatedAt = now,
                });
            }

            await db.SaveChangesAsync();
        }

        var id = await tenant.PostEventAsync(new { name = "expansion", audience = new { all = true }, causeRef = "expansion:1" });
        await using var check = fixture.CreateDbContext();
        await RoutedAsync(check, id);
        Assert.Equal(Audience, await check.Messages.CountAsync(m => m.EventId == id));
        Assert.Equal(Audience, await check.Decisions.CountAsync(d => d.EventId == id && d.MessageId != null));
        Assert.Equal(Audience, await CountAsync("""
            SELECT count(*) FROM messages m
             WHERE m.event_id = @id
               AND EXISTS (SELECT 1 FROM message_keys k WHERE k.message_id = m.id AND k.recipient_id = m.recipient_id AND k.cause_ref = m.cause_ref)
               AND EXISTS (SELECT 1 FROM message_renders r WHERE r.message_id = m.id AND r.content ->> 'subject' LIKE 'Hello User %')
            """, id));

        // As if a dispatcher had died before the event's last write: the whole audience is expanded again from the start.
        await ExecuteAsync("""
            UPDATE events SET status = 'pending', routing_cursor = NULL, routed_at = NULL, due_at = now(),
                   lease_owner = NULL, lease_until = NULL, claim_token = NULL
             WHERE id = @id
            """, id);
        await fixture.RedisClient.GetSubscriber().PublishAsync(WakeUps.Channel, WakeUps.Events);
        await RoutedAsync(check, id);
        Assert.Equal(Audience, await check.Messages.CountAsync(m => m.EventId == id));
        Assert.Equal(Audience, await check.Decisions.CountAsync(d => d.EventId == id && d.Reason == ReasonCodes.Duplicate && d.MessageId == null));
        Assert.Equal(Audience, await CountAsync("SELECT count(*) FROM message_keys WHERE cause_ref = 'expansion:1' AND tenant_id = @tenant", id, tenant.Id));

        // The setting does not outlive the routing write: a plain insert repeating a key is still skipped by the trigger.
        Assert.Equal(0, await CountAsync("""
            WITH repeat AS (
                INSERT INTO messages (id, tenant_id, event_id, recipient_id, channel, category, template_name, template_version, locale,
                                      cause_ref, address, status, due_at, attempts, created_at)
                SELECT gen_random_uuid(), tenant_id, event_id, recipient_id, channel, category, template_name, template_version, locale,
                       cause_ref, address, status, due_at, attempts, now()
                  FROM messages WHERE event_id = @id LIMIT 10
                RETURNING id)
            SELECT count(*) FROM repeat
            """, id));
    }

    [Fact]
    public async Task Content_that_reads_nothing_of_the_recipient_is_rendered_once_and_still_reaches_each_with_their_own_unsubscribe_link()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann", "bob", "cid");
        await tenant.AddTemplateAsync("shared", Channel.Email, new() { Subject = "Planned maintenance", Text = "Comms is read-only on {{ day }}." });
        await tenant.SetRuleAsync("shared", new { templateName = "shared", category = "account", channels = new[] { "email" } });
        var id = await tenant.PostEventAsync(new { name = "shared", audience = new { all = true }, causeRef = "shared:1", payload = new { day = "Sunday" } });
        await using var check = fixture.CreateDbContext();
        await RoutedAsync(check, id);
        var messages = await check.Messages.AsNoTracking().Where(m => m.EventId == id).ToListAsync();
        Assert.Equal(3, messages.Count);
        Assert.Equal(3, messages.Select(m => m.UnsubscribeUrl).Distinct().Count());
        Assert.Equal(3, await CountAsync("""
            SELECT count(*) FROM message_renders r JOIN messages m ON m.id = r.message_id
             WHERE m.event_id = @id AND r.content ->> 'subject' = 'Planned maintenance' AND r.content ->> 'text' = 'Comms is read-only on Sunday.'
            """, id));
    }

    private static async Task RoutedAsync(Comms.Core.Data.CommsDbContext check, Guid id) =>
        await Poll.UntilAsync(async () => (await check.Events.AsNoTracking().SingleAsync(e => e.Id == id)).Status == "routed",
            "the audience to be routed", TimeSpan.FromSeconds(90));

    private async Task ExecuteAsync(string sql, Guid id)
    {
        await using var command = fixture.DataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> CountAsync(string sql, Guid id, string? tenant = null)
    {
        await using var command = fixture.DataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("id", id);
        if (tenant is not null)
        {
            command.Parameters.AddWithValue("tenant", tenant);
        }

        return (long)(await command.ExecuteScalarAsync())!;
    }
}
