using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Isolation;

/// <summary>Email is at-least-once: a repeat after a crash carries the same Message-Id, so mail clients collapse it.</summary>
[Collection(CommsCollection.Name)]
public sealed class EmailRepeatTests(CommsFixture fixture)
{
    [Fact]
    public async Task An_email_carries_a_message_id_derived_from_our_message_and_a_resend_carries_the_same()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "mia");
        var eventId = await tenant.PostEventAsync(new { name = TestTenant.WelcomeEvent, recipients = new[] { "mia" }, causeRef = "mid:1", payload = new { name = "Mia" } });
        var first = await fixture.Mailbox.WaitForOneToAsync(tenant.EmailOf("mia"));
        await using var db = fixture.CreateDbContext();
        var message = await Poll.UntilAsync(async () => await db.Messages.AsNoTracking()
            .SingleOrDefaultAsync(m => m.EventId == eventId && m.Channel == Channel.Email && m.Status == MessageStatus.Sent), "the email marked sent");
        var expected = $"<{message.Id}@{tenant.Id}.comms>";
        Assert.Equal(expected, first.Header("message-id"));

        // A crash after the SMTP server accepted the mail but before it was marked sent: the message is sent again.
        await db.Messages.Where(m => m.Id == message.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Queued).SetProperty(m => m.DueAt, DateTimeOffset.UtcNow));
        await DirectQueue.WakeAsync(fixture, Channel.Email);

        var both = await Poll.UntilAsync(async () => await fixture.Mailbox.ToAsync(tenant.EmailOf("mia")) is { Count: 2 } mails ? mails : null, "the repeat");
        Assert.All(both, mail => Assert.Equal(expected, mail.Header("message-id")));
    }
}
