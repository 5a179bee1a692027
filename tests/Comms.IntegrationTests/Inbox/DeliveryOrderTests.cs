using System.Net.Http.Json;
using Comms.Core.Inbox;
using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Isolation;
using Microsoft.Extensions.Time.Testing;

namespace Comms.IntegrationTests.Inbox;

/// <summary>
/// A user's items are committed in the order of their cursors, so "everything after my cursor" is everything the
/// client has not seen: a later delivery sorts after an earlier one whatever the delivering dispatcher's clock says,
/// also when deliveries race, and each names the item before it.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class DeliveryOrderTests(CommsFixture fixture)
{
    [Fact]
    public async Task A_later_delivery_sorts_after_the_earlier_even_from_a_clock_an_hour_behind_and_names_it_as_previous()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var (first, second) = ((await ClaimedAsync(tenant, "alice", 1))[0], (await ClaimedAsync(tenant, "alice", 1))[0]);

        var early = await new InboxWriter(fixture.DataSource, TimeProvider.System).DeliverAsync([first], default);
        var behind = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        var late = await new InboxWriter(fixture.DataSource, behind).DeliverAsync([second], default);

        var (a, b) = (early.Items.Single().Item, late.Items.Single().Item);
        Assert.Equal(InboxCursor.Start, a.PreviousCursor);
        Assert.True(b.CreatedAt > a.CreatedAt, $"{b.CreatedAt:O} is not after {a.CreatedAt:O}");
        Assert.Equal(a.Cursor, b.PreviousCursor);
        Assert.Equal((1, 2), (early.Counts.Values.Single().Unread, late.Counts.Values.Single().Unread));

        var after = await tenant.UserClient("alice").GetFromJsonAsync<InboxPage>($"/me/notifications?after={a.Cursor}");
        Assert.Equal([b.Id], after!.Items.Select(i => i.Id));
        Assert.Equal(b.Cursor, after.Items[0].Cursor);
    }

    [Fact]
    public async Task Racing_deliveries_to_one_user_form_one_chain_in_cursor_order()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var messages = await ClaimedAsync(tenant, "alice", 24);
        var random = new Random(7);

        // Twelve concurrent deliveries of two items each, on clocks up to a minute apart.
        var deliveries = await Task.WhenAll(messages.Chunk(2).Select(chunk =>
        {
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddSeconds(random.Next(-60, 60)));
            return Task.Run(() => new InboxWriter(fixture.DataSource, clock).DeliverAsync(chunk, default));
        }));

        var items = deliveries.SelectMany(d => d.Items).Select(d => d.Item)
            .OrderBy(i => i.CreatedAt).ThenBy(i => i.Id).ToList();
        Assert.Equal(24, items.Count);
        Assert.Equal(InboxCursor.Start, items[0].PreviousCursor);
        for (var i = 1; i < items.Count; i++)
        {
            Assert.Equal(items[i - 1].Cursor, items[i].PreviousCursor);
        }

        // And the API reads them in that order.
        var page = await tenant.UserClient("alice").GetFromJsonAsync<InboxPage>($"/me/notifications?limit=100&after={InboxCursor.Start}");
        Assert.Equal(items.Select(i => i.Id).Reverse(), page!.Items.Select(i => i.Id));
    }

    /// <summary>In-app messages in the queue, already claimed by this test (leased for an hour, so no dispatcher takes them).</summary>
    private async Task<List<ClaimedMessage>> ClaimedAsync(TestTenant tenant, string externalId, int count)
    {
        var recipientId = await DirectQueue.RecipientIdAsync(fixture, tenant, externalId);
        var now = DateTimeOffset.UtcNow;
        var claimed = new List<ClaimedMessage>();
        await using var db = fixture.CreateDbContext();
        for (var i = 0; i < count; i++)
        {
            var id = Guid.CreateVersion7();
            var token = Guid.NewGuid();
            var content = new RenderedContent { Title = $"Item {i}", Body = "", BodyHtml = "" };
            db.Messages.Add(new Message
            {
                Id = id, TenantId = tenant.Id, RecipientId = recipientId, Channel = Channel.InApp, Category = "account",
                TemplateName = "direct", TemplateVersion = 1, CauseRef = "order:" + id, Status = MessageStatus.Queued, DueAt = now,
                CreatedAt = now, ClaimToken = token, LeaseOwner = "delivery-order-test", LeaseUntil = now.AddHours(1), Attempts = 1,
            });
            db.MessageRenders.Add(new MessageRender { MessageId = id, TenantId = tenant.Id, Content = content, CreatedAt = now });
            claimed.Add(new ClaimedMessage(id, tenant.Id, null, recipientId, externalId, Channel.InApp, "account", "direct", 1, null,
                "order:" + id, null, 1, null, null, content, ClaimToken: token));
        }

        await db.SaveChangesAsync();
        return claimed;
    }
}
