using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Feedback;

/// <summary>
/// SendGrid's Event Webhook end to end: signed events change message statuses (delivered, bounced, complained, failed),
/// hard bounces and complaints suppress the address (so the next event's email is COMMS_SUPPRESSED and a resend is refused),
/// repeats change nothing, unsigned or mis-signed posts are 401 and change nothing.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class SendGridFeedbackTests(CommsFixture fixture)
{
    private static string Batch(params string[] events) => "[" + string.Join(",", events) + "]";

    private async Task<JsonElement> PostAsync(string body)
    {
        using var response = await fixture.Api.CreateClient().SendAsync(ProviderSignatures.SendGridPost(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_hard_bounce_bounces_the_message_suppresses_the_address_and_the_next_event_is_COMMS_SUPPRESSED()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var email = tenant.EmailOf("alice");
        var first = await tenant.PostEventAsync(new { name = TestTenant.WelcomeEvent, recipients = new[] { "alice" }, causeRef = "welcome:1", payload = new { name = "Alice" } });
        var message = await FeedbackTestSupport.MessageAsync(fixture, first, Channel.Email, MessageStatus.Sent);

        var delivered = await PostAsync(Batch(FeedbackTestSupport.SendGridEvent(message, email, "delivered")));
        Assert.Equal(1, delivered.GetProperty("changed").GetInt32());
        Assert.Equal(MessageStatus.Delivered, (await FeedbackTestSupport.ReloadAsync(fixture, message.Id)).Status);

        var bounce = Batch(FeedbackTestSupport.SendGridEvent(message, email, "bounce", "bounce", "550 5.1.1 The email account does not exist"));
        var answer = await PostAsync(bounce);
        Assert.Equal(1, answer.GetProperty("changed").GetInt32());
        var bounced = await FeedbackTestSupport.ReloadAsync(fixture, message.Id);
        Assert.Equal(MessageStatus.Bounced, bounced.Status);
        Assert.Contains("550 5.1.1", bounced.LastError, StringComparison.Ordinal);
        await using (var db = fixture.CreateDbContext())
        {
            var suppression = await db.Suppressions.AsNoTracking().SingleAsync(s => s.TenantId == tenant.Id);
            Assert.Equal((Channel.Email, Suppression.Hash(email), "hard bounce"), (suppression.Channel, suppression.AddressHash, suppression.Reason));
        }

        // SendGrid retries: the same events again change nothing.
        var repeat = await PostAsync(bounce);
        Assert.Equal(0, repeat.GetProperty("changed").GetInt32());
        await using (var db = fixture.CreateDbContext())
        {
            Assert.Equal(1, await db.Suppressions.CountAsync(s => s.TenantId == tenant.Id));
        }

        // A resend of the bounced message is refused: its address is suppressed.
        using var resend = await tenant.ApiClient().PostAsync($"/v1/messages/{message.Id}/resend", null);
        Assert.Equal(HttpStatusCode.Conflict, resend.StatusCode);
        Assert.Equal("COMMS_SUPPRESSED", (await resend.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());

        // The next event to the same address: email is COMMS_SUPPRESSED (in-app still goes).
        var second = await tenant.PostEventAsync(new { name = TestTenant.WelcomeEvent, recipients = new[] { "alice" }, causeRef = "welcome:2", payload = new { name = "Alice" } });
        var decisions = await tenant.DecisionsAsync(second);
        Assert.Contains(("alice", Channel.Email, "blocked", "COMMS_SUPPRESSED"), decisions);
        Assert.Contains(decisions, d => d.Channel == Channel.InApp && d.Outcome == "queued");
    }

    [Fact]
    public async Task Complaints_drops_blocks_and_deferrals_are_mapped_and_events_without_our_ids_are_ignored()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "a", "b", "c", "d");
        var eventId = await tenant.PostEventAsync(new { name = TestTenant.WelcomeEvent, recipients = new[] { "a", "b", "c", "d" }, causeRef = "welcome", payload = new { name = "X" } });
        var a = await FeedbackTestSupport.MessageAsync(fixture, eventId, Channel.Email, MessageStatus.Sent, tenant.EmailOf("a"));
        var b = await FeedbackTestSupport.MessageAsync(fixture, eventId, Channel.Email, MessageStatus.Sent, tenant.EmailOf("b"));
        var c = await FeedbackTestSupport.MessageAsync(fixture, eventId, Channel.Email, MessageStatus.Sent, tenant.EmailOf("c"));
        var d = await FeedbackTestSupport.MessageAsync(fixture, eventId, Channel.Email, MessageStatus.Sent, tenant.EmailOf("d"));
        var foreignTenant = FeedbackTestSupport.SendGridEvent(d, tenant.EmailOf("d"), "delivered").Replace(tenant.Id, "someone-else", StringComparison.Ordinal);

        var answer = await PostAsync(Batch(
            FeedbackTestSupport.SendGridEvent(a, tenant.EmailOf("a"), "spamreport"),
            FeedbackTestSupport.SendGridEvent(b, tenant.EmailOf("b"), "dropped", reason: "Invalid"),
            FeedbackTestSupport.SendGridEvent(c, tenant.EmailOf("c"), "bounce", "blocked", "421 try later"),
            FeedbackTestSupport.SendGridEvent(d, tenant.EmailOf("d"), "open"),
            foreignTenant,
            """{"email":"x@example.test","event":"delivered","timestamp":1}"""));

        Assert.Equal(4, answer.GetProperty("reports").GetInt32());
        Assert.Equal(2, answer.GetProperty("changed").GetInt32());
        Assert.Equal(1, answer.GetProperty("unknown").GetInt32());
        Assert.Equal(MessageStatus.Complained, (await FeedbackTestSupport.ReloadAsync(fixture, a.Id)).Status);
        var dropped = await FeedbackTestSupport.ReloadAsync(fixture, b.Id);
        Assert.Equal((MessageStatus.Failed, "sendgrid: dropped: Invalid"), (dropped.Status, dropped.LastError));
        var blocked = await FeedbackTestSupport.ReloadAsync(fixture, c.Id);
        Assert.Equal((MessageStatus.Sent, "sendgrid: blocked: 421 try later"), (blocked.Status, blocked.LastError));
        Assert.Equal(MessageStatus.Sent, (await FeedbackTestSupport.ReloadAsync(fixture, d.Id)).Status);
        await using var db = fixture.CreateDbContext();
        var suppressed = await db.Suppressions.AsNoTracking().Where(s => s.TenantId == tenant.Id).ToListAsync();
        Assert.Equal([(Suppression.Hash(tenant.EmailOf("a")), "spam complaint")], suppressed.Select(s => (s.AddressHash, s.Reason)));
    }

    [Fact]
    public async Task Unsigned_or_mis_signed_posts_are_401_and_change_nothing()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var eventId = await tenant.PostEventAsync(new { name = TestTenant.WelcomeEvent, recipients = new[] { "alice" }, causeRef = "welcome", payload = new { name = "A" } });
        var message = await FeedbackTestSupport.MessageAsync(fixture, eventId, Channel.Email, MessageStatus.Sent);
        var body = Batch(FeedbackTestSupport.SendGridEvent(message, tenant.EmailOf("alice"), "bounce", "bounce", "550"));
        var api = fixture.Api.CreateClient();

        using var signedOther = ProviderSignatures.SendGridPost(body);
        signedOther.Content = new StringContent(body.Replace("550", "551", StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json");
        foreach (var request in new[]
                 {
                     ProviderSignatures.SendGridPost(body, signed: false),
                     ProviderSignatures.SendGridPost(body, signature: "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0="),
                     ProviderSignatures.SendGridPost(body, signature: "%%%"),
                     signedOther,
                 })
        {
            using var response = await api.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("COMMS_UNAUTHORIZED", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        }

        Assert.Equal(MessageStatus.Sent, (await FeedbackTestSupport.ReloadAsync(fixture, message.Id)).Status);
        await using var db = fixture.CreateDbContext();
        Assert.False(await db.Suppressions.AnyAsync(s => s.TenantId == tenant.Id));
    }
}
