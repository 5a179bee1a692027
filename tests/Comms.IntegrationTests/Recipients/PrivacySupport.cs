using System.Net;
using System.Net.Http.Json;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Recipients;

/// <summary>A person with distinctive data, delivered to on email and in-app, for the export and erasure tests.</summary>
internal sealed record Person(string ExternalId, string Name, string Email, string Phone, string PayloadName, string Attribute, string DeviceToken)
{
    public static Person Distinctive()
    {
        var tag = Guid.NewGuid().ToString("N")[..12];
        return new Person("person-" + tag, "Zebulon Quaxworth " + tag, $"zq.{tag}@example.test", "+1555" + Random.Shared.Next(1_000_000, 9_999_999),
            "Quuxpayload" + tag, "attrvalue" + tag, "devicetoken" + tag);
    }

    /// <summary>Every personal value, as the no-trace test looks for them.</summary>
    public IReadOnlyList<string> Traces => [ExternalId, Name, Email, Phone, PayloadName, Attribute, DeviceToken];
}

internal static class PrivacySupport
{
    /// <summary>
    /// Creates the person with a device and a preference, subscribes a status webhook, posts a welcome event naming them (payload and
    /// actor carry their data) and waits for the email, the inbox item and a status webhook delivery. Returns the event id.
    /// </summary>
    public static async Task<Guid> DeliverAsync(CommsFixture fixture, TestTenant tenant, Person person)
    {
        var api = tenant.ApiClient();
        (await api.PutAsJsonAsync($"/v1/recipients/{person.ExternalId}", new
        {
            name = person.Name, email = person.Email, phone = person.Phone, locale = "en-US", timeZone = "UTC",
            attributes = new { team = person.Attribute }, quietHours = new { enabled = false },
        })).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync($"/v1/recipients/{person.ExternalId}/devices", new { provider = "fcm", token = person.DeviceToken }))
            .EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync($"/v1/recipients/{person.ExternalId}/preferences", new
        {
            preferences = new[] { new { category = "account", channel = "sms", enabled = false } },
        })).EnsureSuccessStatusCode();
        var hook = await api.PostAsJsonAsync("/v1/webhook-endpoints", new { url = "http://127.0.0.1:9/hook", eventTypes = new[] { "message.sent" } });
        Assert.Equal(HttpStatusCode.Created, hook.StatusCode);

        var eventId = await tenant.PostEventAsync(new
        {
            name = TestTenant.WelcomeEvent, recipients = new[] { person.ExternalId }, causeRef = "signup:" + person.ExternalId,
            category = "account", actor = person.ExternalId, payload = new { name = person.PayloadName },
        });
        var email = await fixture.Mailbox.WaitForOneToAsync(person.Email);
        Assert.Contains(person.PayloadName, email.Subject, StringComparison.Ordinal);
        await Poll.UntilAsync(async () =>
        {
            await using var db = fixture.CreateDbContext();
            var messages = db.Messages.Where(m => m.EventId == eventId).Select(m => m.Id);
            return await db.InboxItems.CountAsync(i => i.EventId == eventId) == 1
                && await db.WebhookDeliveries.AnyAsync(w => messages.Contains(w.MessageId));
        }, "the inbox item and the status webhooks");
        return eventId;
    }
}
