extern alias api;

using System.Collections.Specialized;
using System.Net;
using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using TwilioStatus = api::Comms.Api.Feedback.TwilioStatus;

namespace Comms.IntegrationTests.Feedback;

/// <summary>Twilio status callbacks: the signature (Twilio's test vector, then signed posts), and each status's effect.</summary>
[Collection(CommsCollection.Name)]
public sealed class TwilioFeedbackTests(CommsFixture fixture)
{
    private static Dictionary<string, string> Callback(string sid, string status, string to, string? errorCode = null)
    {
        var form = new Dictionary<string, string>
        {
            ["AccountSid"] = "AC00000000000000000000000000000000", ["MessageSid"] = sid, ["SmsSid"] = sid, ["MessageStatus"] = status,
            ["SmsStatus"] = status, ["To"] = to, ["From"] = "+15017122661", ["ApiVersion"] = "2010-04-01",
        };
        if (errorCode is not null)
        {
            form["ErrorCode"] = errorCode;
        }

        return form;
    }

    [Fact]
    public async Task Delivered_undelivered_and_failed_callbacks_set_the_status_and_a_dead_number_is_suppressed()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var recipient = await tenant.AddRecipientAsync("bob", r => r.Phone = "+15550000001");
        var suffix = Guid.NewGuid().ToString("N");
        var delivered = await FeedbackTestSupport.SentSmsAsync(fixture, tenant, recipient.Id, "SMa" + suffix, "+15550000001");
        var dead = await FeedbackTestSupport.SentSmsAsync(fixture, tenant, recipient.Id, "SMb" + suffix, "+15550000002");
        var unreachable = await FeedbackTestSupport.SentSmsAsync(fixture, tenant, recipient.Id, "SMc" + suffix, "+15550000003");
        var api = fixture.Api.CreateClient();

        foreach (var form in new[]
                 {
                     Callback(delivered.ProviderMessageId!, "sent", "+15550000001"),
                     Callback(delivered.ProviderMessageId!, "delivered", "+15550000001"),
                     Callback(dead.ProviderMessageId!, "undelivered", "+15550000002", "30005"),
                     Callback(unreachable.ProviderMessageId!, "failed", "+15550000003", "30003"),
                     Callback(unreachable.ProviderMessageId!, "failed", "+15550000003", "30003"),
                     Callback("SMunknown" + suffix, "delivered", "+15550000009"),
                 })
        {
            using var response = await api.SendAsync(ProviderSignatures.TwilioPost(form));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        Assert.Equal(MessageStatus.Delivered, (await FeedbackTestSupport.ReloadAsync(fixture, delivered.Id)).Status);
        var bounced = await FeedbackTestSupport.ReloadAsync(fixture, dead.Id);
        Assert.Equal((MessageStatus.Bounced, "twilio: undelivered (error 30005)"), (bounced.Status, bounced.LastError));
        var failed = await FeedbackTestSupport.ReloadAsync(fixture, unreachable.Id);
        Assert.Equal((MessageStatus.Failed, "twilio: failed (error 30003)"), (failed.Status, failed.LastError));
        await using var db = fixture.CreateDbContext();
        var suppressed = await db.Suppressions.AsNoTracking().Where(s => s.TenantId == tenant.Id).ToListAsync();
        Assert.Equal([(Channel.Sms, Suppression.Hash("+15550000002"))], suppressed.Select(s => (s.Channel, s.AddressHash)));
    }

    [Fact]
    public async Task Unsigned_or_mis_signed_callbacks_are_401_and_change_nothing()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var recipient = await tenant.AddRecipientAsync("bob", r => r.Phone = "+15550000004");
        var message = await FeedbackTestSupport.SentSmsAsync(fixture, tenant, recipient.Id, "SMd" + Guid.NewGuid().ToString("N"), "+15550000004");
        var form = Callback(message.ProviderMessageId!, "undelivered", "+15550000004", "30005");
        var api = fixture.Api.CreateClient();

        var altered = new Dictionary<string, string>(form) { ["ErrorCode"] = "30006" };
        foreach (var request in new[]
                 {
                     ProviderSignatures.TwilioPost(form, token: null),
                     ProviderSignatures.TwilioPost(form, token: "another-token"),
                     ProviderSignatures.TwilioPost(altered, signature: ProviderSignatures.Twilio(ProviderSignatures.TwilioAuthToken, "http://localhost/webhooks/twilio/status", form)),
                 })
        {
            using var response = await api.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Equal(MessageStatus.Sent, (await FeedbackTestSupport.ReloadAsync(fixture, message.Id)).Status);
        await using var db = fixture.CreateDbContext();
        Assert.False(await db.Suppressions.AnyAsync(s => s.TenantId == tenant.Id));
    }
}
