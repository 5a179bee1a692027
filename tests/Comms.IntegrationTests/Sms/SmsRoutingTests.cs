using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Queueing;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using static Comms.IntegrationTests.Sms.SmsWorld;

namespace Comms.IntegrationTests.Sms;

/// <summary>
/// The SMS cost gate (the tenant's <c>smsCategories</c>) and consent, with fallback to the rule's next channel, and the
/// STOP/HELP footer of routed SMS. Routing runs on a dispatcher with a Twilio account and its own clock: events are due an
/// hour ahead, so the suite's shared dispatcher (which has no SMS provider) leaves them to it.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class SmsRoutingTests(CommsFixture fixture)
{
    private static readonly TemplateContent Sms = new() { Text = "Booking {{ ref }} confirmed." };
    private static readonly TemplateContent Email = new() { Subject = "Booking {{ ref }}", Text = "Booking {{ ref }} confirmed." };

    private async Task<TestTenant> TenantAsync()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        await tenant.AddTemplateAsync("booked", Channel.Sms, Sms);
        await tenant.AddTemplateAsync("booked", Channel.Sms, new TemplateContent { Text = "Réservation {{ ref }} confirmée." }, locale: "fr-FR");
        await tenant.AddTemplateAsync("booked", Channel.Email, Email);
        await tenant.SetRuleAsync("booked", new { templateName = "booked", category = Categories.Booking, channels = new[] { "sms" }, fallbackChannels = new[] { "email" } });
        return tenant;
    }

    private async Task ConsentAsync(TestTenant tenant, Guid recipientId)
    {
        await using var db = fixture.CreateDbContext();
        db.Preferences.Add(new Preference
        {
            TenantId = tenant.Id, RecipientId = recipientId, Channel = Channel.Sms, Category = Categories.Booking, Enabled = true, UpdatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
    }

    private static async Task<List<(string Recipient, string Channel, string Outcome, string? Reason)>> RouteAsync(
        CommsFixture fixture, TestTenant tenant, FakeTimeProvider clock, string cause, params string[] to)
    {
        var sendAt = clock.GetUtcNow().AddHours(1);
        var id = await tenant.PostEventAsync(new { name = "booked", recipients = to, causeRef = cause, sendAt, payload = new { @ref = cause } });
        clock.SetUtcNow(sendAt.AddSeconds(1));
        await fixture.RedisClient.GetSubscriber().PublishAsync(WakeUps.Channel, WakeUps.Events);
        return (await tenant.DecisionsAsync(id)).OrderBy(d => d.Recipient, StringComparer.Ordinal).ToList();
    }

    private async Task<Message> SentAsync(TestTenant tenant, string channel, string cause) =>
        await Poll.UntilAsync(async () =>
        {
            await using var db = fixture.CreateDbContext();
            var message = await db.Messages.AsNoTracking().SingleOrDefaultAsync(m => m.TenantId == tenant.Id && m.Channel == channel && m.CauseRef == cause);
            return message?.Status is MessageStatus.Sent or MessageStatus.Failed ? message : null;
        }, $"the {channel} message of {cause} to be sent");

    [Fact]
    public async Task Sms_for_a_category_the_tenant_does_not_allow_falls_back_to_email_even_for_a_consenting_user()
    {
        using var twilio = StartTwilio();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dispatcher = fixture.StartDispatcher(Settings(twilio), time: clock);
        var tenant = await TenantAsync();
        var ann = await tenant.AddRecipientAsync("ann", r => r.Phone = "+15550101");
        await ConsentAsync(tenant, ann.Id);

        var decisions = await RouteAsync(fixture, tenant, clock, "gate:1", "ann");

        Assert.Equal([("sms", "blocked", "COMMS_SMS_NOT_ALLOWED"), ("email", "queued", null)], decisions.Select(d => (d.Channel, d.Outcome, d.Reason)).ToList());
        var email = await SentAsync(tenant, Channel.Email, "gate:1");
        Assert.True(email.Status == MessageStatus.Sent, $"{email.Status}: {email.LastError}");
        Assert.Empty(Push.PushWorld.Requests(twilio, MessagesPath));
    }

    [Fact]
    public async Task Once_the_tenant_allows_the_category_a_consenting_user_gets_the_sms_with_its_footer_and_others_fall_back_to_email()
    {
        using var twilio = StartTwilio();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dispatcher = fixture.StartDispatcher(Settings(twilio), time: clock);
        var tenant = await TenantAsync();
        var ann = await tenant.AddRecipientAsync("ann", r => r.Phone = "+15550102");
        var zoe = await tenant.AddRecipientAsync("zoe", r => (r.Phone, r.Locale) = ("+33612345678", "fr-FR"));
        await tenant.AddRecipientAsync("bob", r => r.Phone = "+15550103");
        await ConsentAsync(tenant, ann.Id);
        await ConsentAsync(tenant, zoe.Id);

        using var sys = fixture.Api.CreateClient();
        sys.DefaultRequestHeaders.Authorization = new("Bearer", CommsFixture.SysKey);
        var patched = await sys.PatchAsJsonAsync($"/sys/tenants/{tenant.Id}", new { smsCategories = new[] { "security", "booking" } });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);

        var decisions = await RouteAsync(fixture, tenant, clock, "gate:2", "ann", "bob", "zoe");

        Assert.Equal(
        [
            ("ann", "sms", "queued", null),
            ("bob", "sms", "blocked", ReasonCodes.PrefBlocked), ("bob", "email", "queued", null),
            ("zoe", "sms", "queued", null),
        ], decisions.Select(d => (d.Recipient, d.Channel, d.Outcome, d.Reason)).ToList());
        Assert.Equal(MessageStatus.Sent, (await SentAsync(tenant, Channel.Email, "gate:2")).Status);
        await Poll.UntilAsync(() => Task.FromResult(Push.PushWorld.Requests(twilio, MessagesPath).Count == 2), "both SMS at Twilio");
        var bodies = Push.PushWorld.Requests(twilio, MessagesPath).Select(r => Form(r.RequestMessage.Body!)).ToDictionary(f => f["To"], f => f["Body"]);
        Assert.Equal("Booking gate:2 confirmed.\nReply STOP to unsubscribe, HELP for help.", bodies["+15550102"]);
        Assert.Equal("Réservation gate:2 confirmée.\nRépondez STOP pour vous désabonner, HELP pour de l'aide.", bodies["+33612345678"]);
    }

    [Fact]
    public async Task SmsCategories_are_shown_set_and_validated_by_the_sys_api()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        using var sys = fixture.Api.CreateClient();
        sys.DefaultRequestHeaders.Authorization = new("Bearer", CommsFixture.SysKey);

        var shown = await sys.GetFromJsonAsync<JsonElement>($"/sys/tenants/{tenant.Id}");
        Assert.Equal(["security"], shown.GetProperty("smsCategories").EnumerateArray().Select(c => c.GetString()));

        var refused = await sys.PatchAsJsonAsync($"/sys/tenants/{tenant.Id}", new { smsCategories = new[] { "booking", "Not A Category" } });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("COMMS_VALIDATION", problem.GetProperty("type").GetString());
        Assert.Contains("Item 1", problem.GetProperty("errors").GetProperty("smsCategories")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(["security"], (await sys.GetFromJsonAsync<JsonElement>($"/sys/tenants/{tenant.Id}")).GetProperty("smsCategories").EnumerateArray().Select(c => c.GetString()));

        var cleared = await (await sys.PatchAsJsonAsync($"/sys/tenants/{tenant.Id}", new { smsCategories = Array.Empty<string>() })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Empty(cleared.GetProperty("smsCategories").EnumerateArray());
        var renamed = await (await sys.PatchAsJsonAsync($"/sys/tenants/{tenant.Id}", new { name = "Renamed" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Empty(renamed.GetProperty("smsCategories").EnumerateArray());
    }
}
