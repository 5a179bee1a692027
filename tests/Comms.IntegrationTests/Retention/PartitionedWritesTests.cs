using Comms.Core.Inbox;
using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comms.IntegrationTests.Retention;

/// <summary>
/// What unique indexes did before the tables were partitioned by month (a unique index there must include created_at):
/// a message's idempotency key holds across months, and a message's inbox item is written once.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class PartitionedWritesTests(CommsFixture fixture)
{
    [Fact]
    public async Task A_repeat_of_a_message_idempotency_key_is_skipped_even_in_another_month()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var recipient = Guid.NewGuid();
        async Task<int> InsertAsync(Guid id, DateTimeOffset at)
        {
            await using var command = fixture.DataSource.CreateCommand("""
                INSERT INTO messages (id, tenant_id, recipient_id, channel, category, template_name, template_version, cause_ref, status,
                                      due_at, attempts, created_at)
                VALUES (@id, @tenant, @recipient, 'email', 'booking', 'booking.changed', 3, 'booking:7', 'sent', @at, 0, @at)
                """);
            command.Parameters.AddWithValue("id", id);
            command.Parameters.AddWithValue("tenant", tenant.Id);
            command.Parameters.AddWithValue("recipient", recipient);
            command.Parameters.AddWithValue("at", at);
            return await command.ExecuteNonQueryAsync();
        }

        var first = Guid.NewGuid();
        Assert.Equal(1, await InsertAsync(first, DateTimeOffset.UtcNow.AddMonths(-2)));
        Assert.Equal(0, await InsertAsync(Guid.NewGuid(), DateTimeOffset.UtcNow));

        Assert.Equal(1L, await RetentionRows.ScalarAsync<long>(fixture, "SELECT count(*) FROM messages WHERE tenant_id = @t", ("t", tenant.Id)));
        Assert.Equal(first, await RetentionRows.ScalarAsync<Guid>(fixture,
            "SELECT message_id FROM message_keys WHERE tenant_id = @t AND cause_ref = 'booking:7'", ("t", tenant.Id)));
    }

    [Fact]
    public async Task A_message_delivered_again_does_not_get_a_second_inbox_item()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var recipientId = await Isolation.DirectQueue.RecipientIdAsync(fixture, tenant, "ann");
        var now = DateTimeOffset.UtcNow;
        var id = Guid.CreateVersion7();
        var token = Guid.NewGuid();
        var content = new RenderedContent { Title = "Once", Body = "", BodyHtml = "" };
        await using (var db = fixture.CreateDbContext())
        {
            db.Messages.Add(new Message
            {
                Id = id, TenantId = tenant.Id, RecipientId = recipientId, Channel = Channel.InApp, Category = "account",
                TemplateName = "direct", TemplateVersion = 1, CauseRef = "once:" + id, Status = MessageStatus.Queued, DueAt = now,
                CreatedAt = now, ClaimToken = token, LeaseOwner = "partitioned-writes-test", LeaseUntil = now.AddHours(1), Attempts = 1,
            });
            db.MessageRenders.Add(new MessageRender { MessageId = id, TenantId = tenant.Id, Content = content, CreatedAt = now });
            await db.SaveChangesAsync();
        }

        // An item of this message exists already (written by an earlier delivery, at another time, so in another partition).
        await using (var command = fixture.DataSource.CreateCommand("""
            INSERT INTO inbox_items (id, tenant_id, recipient_id, message_id, category, title, body, body_html, created_at)
            VALUES (@id, @tenant, @recipient, @id, 'account', 'Once', '', '', @at)
            """))
        {
            command.Parameters.AddWithValue("id", id);
            command.Parameters.AddWithValue("tenant", tenant.Id);
            command.Parameters.AddWithValue("recipient", recipientId);
            command.Parameters.AddWithValue("at", now.AddMonths(-1));
            await command.ExecuteNonQueryAsync();
        }

        var claimed = new ClaimedMessage(id, tenant.Id, null, recipientId, "ann", Channel.InApp, "account", "direct", 1, null,
            "once:" + id, null, 1, null, null, content, ClaimToken: token);
        var delivery = await fixture.Dispatcher.Services.GetRequiredService<InboxWriter>().DeliverAsync([claimed], CancellationToken.None);

        Assert.Empty(delivery.Items);
        Assert.Equal(1L, await RetentionRows.ScalarAsync<long>(fixture, "SELECT count(*) FROM inbox_items WHERE message_id = @id", ("id", id)));
    }
}
