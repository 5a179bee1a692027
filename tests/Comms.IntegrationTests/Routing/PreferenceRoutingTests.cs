using System.Net.Http.Json;
using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Routing;

/// <summary>Categories, the default opt-in matrix, user overrides, critical overrides, suppression and fallbacks.</summary>
[Collection(CommsCollection.Name)]
public sealed class PreferenceRoutingTests(CommsFixture fixture)
{
    private static readonly TemplateContent Email = new() { Subject = "{{ title }}", Text = "{{ title }}" };
    private static readonly TemplateContent InApp = new() { Title = "{{ title }}", Body = "{{ title }}" };
    private static readonly TemplateContent Push = new() { Title = "{{ title }}", Body = "{{ title }}" };
    private static readonly TemplateContent Sms = new() { Text = "{{ title }}" };

    private async Task<TestTenant> TenantWithAllChannelsAsync(string category, params string[] fallback)
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        await tenant.AddTemplateAsync("notice", Channel.Email, Email);
        await tenant.AddTemplateAsync("notice", Channel.InApp, InApp);
        await tenant.AddTemplateAsync("notice", Channel.Push, Push);
        await tenant.AddTemplateAsync("notice", Channel.Sms, Sms);
        await tenant.SetRuleAsync("notice", new
        {
            templateName = "notice", category, channels = new[] { "email", "push", "sms", "in_app" }, fallbackChannels = fallback,
        });
        return tenant;
    }

    private static object Notice(string user, string cause, string? category = null) =>
        new { name = "notice", recipients = new[] { user }, causeRef = cause, category, payload = new { title = "Hi" } };

    [Fact]
    public async Task Promotions_reach_only_the_inbox_by_default()
    {
        var tenant = await TenantWithAllChannelsAsync(Categories.Promotions);
        await tenant.AddRecipientAsync("ann", r => r.Phone = "+15550100");

        var decisions = await tenant.DecisionsAsync(await tenant.PostEventAsync(Notice("ann", "promo:1")));

        Assert.Equal(
            // SMS: the tenant's cost gate (smsCategories, default security only) comes before the user's consent.
            [("email", "blocked", ReasonCodes.PrefBlocked), ("in_app", "queued", null), ("push", "blocked", ReasonCodes.NoAddress), ("sms", "blocked", ReasonCodes.SmsNotAllowed)],
            decisions.Select(d => (d.Channel, d.Outcome, d.Reason)).Order().ToList());
    }

    [Fact]
    public async Task A_users_opt_out_blocks_the_channel_but_not_critical_security_mail()
    {
        var tenant = await TenantWithAllChannelsAsync(Categories.Booking);
        var ann = await tenant.AddRecipientAsync("ann");
        await using (var db = fixture.CreateDbContext())
        {
            db.Preferences.Add(new Preference { TenantId = tenant.Id, RecipientId = ann.Id, Channel = Channel.Email, Category = Categories.Booking, Enabled = false, UpdatedAt = DateTimeOffset.UtcNow });
            db.Preferences.Add(new Preference { TenantId = tenant.Id, RecipientId = ann.Id, Channel = Channel.Email, Category = Categories.Security, Enabled = false, UpdatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        var booking = await tenant.DecisionsAsync(await tenant.PostEventAsync(Notice("ann", "b:1")));
        var security = await tenant.DecisionsAsync(await tenant.PostEventAsync(Notice("ann", "s:1", Categories.Security)));

        Assert.Contains(("email", "blocked", ReasonCodes.PrefBlocked), booking.Select(d => (d.Channel, d.Outcome, d.Reason)));
        Assert.Contains(("email", "queued", (string?)null), security.Select(d => (d.Channel, d.Outcome, d.Reason)));
        await fixture.Mailbox.WaitForOneToAsync(tenant.EmailOf("ann"));
    }

    [Fact]
    public async Task A_suppressed_address_is_blocked_and_the_fallback_channel_is_used()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        await tenant.AddTemplateAsync("notice", Channel.Email, Email);
        await tenant.AddTemplateAsync("notice", Channel.InApp, InApp);
        await tenant.SetRuleAsync("notice", new { templateName = "notice", category = "account", channels = new[] { "email" }, fallbackChannels = new[] { "in_app" } });
        await tenant.AddRecipientAsync("ann");
        await using (var db = fixture.CreateDbContext())
        {
            db.Suppressions.Add(new Suppression
            {
                TenantId = tenant.Id, Channel = Channel.Email, AddressHash = Suppression.Hash(tenant.EmailOf("ann").ToUpperInvariant()),
                Reason = "hard bounce", CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        var decisions = await tenant.DecisionsAsync(await tenant.PostEventAsync(Notice("ann", "x:1")));

        Assert.Equal([("email", "blocked", ReasonCodes.Suppressed), ("in_app", "queued", null)], decisions.Select(d => (d.Channel, d.Outcome, d.Reason)).ToList());
    }

    [Fact]
    public async Task A_channel_without_a_configured_provider_is_not_queued_and_falls_back()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        await tenant.AddTemplateAsync("notice", Channel.Push, Push);
        await tenant.AddTemplateAsync("notice", Channel.InApp, InApp);
        await tenant.SetRuleAsync("notice", new { templateName = "notice", category = "booking", channels = new[] { "push" }, fallbackChannels = new[] { "in_app" } });
        var ann = await tenant.AddRecipientAsync("ann");
        await using (var db = fixture.CreateDbContext())
        {
            db.Devices.Add(new Comms.Core.Recipients.Device { Id = Guid.CreateVersion7(), TenantId = tenant.Id, RecipientId = ann.Id, Provider = "fcm", Token = "token-" + tenant.Id, CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        var decisions = await tenant.DecisionsAsync(await tenant.PostEventAsync(Notice("ann", "np:1")));

        // This deployment (like the tests') has providers for email and in-app only: push is refused, not left in the queue.
        Assert.Equal([("push", "blocked", ReasonCodes.NoProvider), ("in_app", "queued", null)], decisions.Select(d => (d.Channel, d.Outcome, d.Reason)).ToList());
    }

    [Fact]
    public async Task Unknown_recipients_and_missing_templates_are_recorded_with_their_reasons()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        await tenant.AddTemplateAsync("notice", Channel.InApp, InApp);
        // The email content exists only as a draft: the rule is accepted, but nothing is published to send.
        var draft = await tenant.ApiClient().PutAsJsonAsync("/v1/templates/notice/email/en-US/draft",
            new { category = "account", content = new { subject = "Hi", text = "Hi" } });
        Assert.True(draft.IsSuccessStatusCode, await draft.Content.ReadAsStringAsync());
        await tenant.SetRuleAsync("notice", new { templateName = "notice", category = "account", channels = new[] { "in_app", "email" } });
        await tenant.AddRecipientAsync("ann");

        var decisions = await tenant.DecisionsAsync(await tenant.PostEventAsync(
            new { name = "notice", recipients = new[] { "ann", "ghost" }, causeRef = "u:1", payload = new { title = "Hi" } }));

        Assert.Contains(("ghost", "*", "blocked", ReasonCodes.UnknownRecipient), decisions);
        Assert.Contains(("ann", "email", "blocked", ReasonCodes.NoTemplate), decisions);
        Assert.Contains(("ann", "in_app", "queued", (string?)null), decisions);
    }
}
