using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using Comms.TestServers;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Feedback;

internal static class FeedbackTestSupport
{
    /// <summary>Waits for the message of <paramref name="eventId"/> on <paramref name="channel"/> to reach <paramref name="status"/>.</summary>
    public static Task<Message> MessageAsync(CommsFixture fixture, Guid eventId, string channel, string status, string? recipientEmail = null) =>
        Poll.UntilAsync(async () =>
        {
            await using var db = fixture.CreateDbContext();
            return await db.Messages.AsNoTracking().FirstOrDefaultAsync(m =>
                m.EventId == eventId && m.Channel == channel && m.Status == status && (recipientEmail == null || m.Address == recipientEmail));
        }, $"the {channel} message of event {eventId} to be {status}");

    public static async Task<Message> ReloadAsync(CommsFixture fixture, Guid id)
    {
        await using var db = fixture.CreateDbContext();
        return await db.Messages.AsNoTracking().SingleAsync(m => m.Id == id);
    }

    /// <summary>An SMS message as the SMS provider would have left it: sent, with Twilio's SID as its provider id.</summary>
    public static async Task<Message> SentSmsAsync(CommsFixture fixture, TestTenant tenant, Guid recipientId, string sid, string phone)
    {
        var now = DateTimeOffset.UtcNow;
        var message = new Message
        {
            Id = Guid.CreateVersion7(), TenantId = tenant.Id, RecipientId = recipientId, Channel = Channel.Sms, Category = "account",
            TemplateName = TestTenant.WelcomeEvent, TemplateVersion = 1, CauseRef = "sms:" + sid, Address = phone, Status = MessageStatus.Sent,
            DueAt = now, Attempts = 1, ProviderMessageId = sid, CreatedAt = now, SentAt = now,
        };
        await using var db = fixture.CreateDbContext();
        db.Messages.Add(message);
        await db.SaveChangesAsync();
        return message;
    }

    public static string SendGridEvent(Message message, string email, string eventName, string? type = null, string? reason = null) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["email"] = email, ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["event"] = eventName, ["type"] = type, ["reason"] = reason,
            ["sg_event_id"] = Guid.NewGuid().ToString("N"), ["sg_message_id"] = "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
            ["comms_message_id"] = message.Id.ToString(), ["comms_tenant"] = message.TenantId,
        }.Where(p => p.Value is not null).ToDictionary());
}
