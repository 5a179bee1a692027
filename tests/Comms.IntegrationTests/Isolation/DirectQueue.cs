using Comms.Core.Messages;
using Comms.Core.Queueing;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Isolation;

/// <summary>Writes messages straight into the send queue, as routing would (for content routing would refuse, or test channels).</summary>
public static class DirectQueue
{
    public static async Task<Guid> RecipientIdAsync(CommsFixture fixture, TestTenant tenant, string externalId)
    {
        await using var db = fixture.CreateDbContext();
        return await db.Recipients.Where(r => r.TenantId == tenant.Id && r.ExternalId == externalId).Select(r => r.Id).SingleAsync();
    }

    /// <summary>Queues one message per (recipient, content) in one transaction, due now (or at <paramref name="dueAt"/>); returns their ids.</summary>
    public static async Task<IReadOnlyList<Guid>> QueueAsync(
        CommsFixture fixture, TestTenant tenant, string channel, IEnumerable<(string ExternalId, RenderedContent Content)> messages,
        DateTimeOffset? dueAt = null)
    {
        await using var db = fixture.CreateDbContext();
        var now = DateTimeOffset.UtcNow;
        var ids = new List<Guid>();
        foreach (var (externalId, content) in messages)
        {
            var recipientId = await db.Recipients.Where(r => r.TenantId == tenant.Id && r.ExternalId == externalId).Select(r => r.Id).SingleAsync();
            var id = Guid.CreateVersion7();
            db.Messages.Add(new Message
            {
                Id = id, TenantId = tenant.Id, RecipientId = recipientId, Channel = channel, Category = "account",
                TemplateName = "direct", TemplateVersion = 1, CauseRef = "direct:" + id, Address = tenant.EmailOf(externalId),
                Status = MessageStatus.Queued, DueAt = dueAt ?? now, CreatedAt = now,
            });
            db.MessageRenders.Add(new MessageRender { MessageId = id, TenantId = tenant.Id, Content = content, CreatedAt = now });
            ids.Add(id);
        }

        await db.SaveChangesAsync();
        return ids;
    }

    /// <summary>Wakes the senders of a channel (as routing does after queueing).</summary>
    public static Task WakeAsync(CommsFixture fixture, string channel) =>
        fixture.RedisClient.GetSubscriber().PublishAsync(WakeUps.Channel, WakeUps.MessagesFor(channel));

    public static async Task<Message> MessageAsync(CommsFixture fixture, Guid id)
    {
        await using var db = fixture.CreateDbContext();
        return await db.Messages.AsNoTracking().SingleAsync(m => m.Id == id);
    }
}
