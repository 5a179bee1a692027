using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Messages;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Templates;

/// <summary>Rendered links and lengths are checked before anything is stored or sent (COMMS_RENDER_INVALID).</summary>
[Collection(CommsCollection.Name)]
public sealed class RenderSafetyTests(CommsFixture fixture)
{
    private const string Event = "booking.link";

    private async Task<TestTenant> TenantWithLinkTemplatesAsync()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        await tenant.AddTemplateAsync(Event, Channel.InApp, new TemplateContent { Title = "{{ title }}", Body = "Open it", Link = "{{ url }}" });
        await tenant.AddTemplateAsync(Event, Channel.Email, new TemplateContent
        {
            Subject = "{{ title }}", Html = """<p><a href="{{ url }}">Open your booking</a></p>""", Text = "Open {{ url }}",
        });
        await tenant.SetRuleAsync(Event, new { templateName = Event, category = "booking", channels = new[] { "in_app", "email" } });
        return tenant;
    }

    private static object Booking(string user, string cause, string url, string title = "Your booking") =>
        new { name = Event, recipients = new[] { user }, causeRef = cause, payload = new { url, title } };

    [Fact]
    public async Task A_javascript_link_from_the_payload_is_recorded_as_render_invalid_and_never_stored_or_sent()
    {
        var tenant = await TenantWithLinkTemplatesAsync();
        await tenant.AddRecipientAsync("ann");

        var hostile = await tenant.PostEventAsync(Booking("ann", "b:1", "javascript:alert(1)"));
        var decisions = await tenant.DecisionsAsync(hostile);
        // A safe event afterwards: once its mail and inbox item exist, the hostile one had every chance to be sent.
        var safe = await tenant.PostEventAsync(Booking("ann", "b:2", "https://example.com/bookings/2", "Safe booking"));
        await tenant.DecisionsAsync(safe);
        var mail = await fixture.Mailbox.WaitForOneToAsync(tenant.EmailOf("ann"));

        Assert.Equal(
            [(Channel.Email, DecisionOutcome.Blocked, ReasonCodes.RenderInvalid), (Channel.InApp, DecisionOutcome.Blocked, ReasonCodes.RenderInvalid)],
            decisions.Select(d => (d.Channel, d.Outcome, d.Reason)).Order().ToList());
        await using var db = fixture.CreateDbContext();
        Assert.Equal(0, await db.Messages.CountAsync(m => m.EventId == hostile));
        Assert.Equal(0, await db.InboxItems.CountAsync(i => i.EventId == hostile));
        await Poll.UntilAsync(async () => await db.InboxItems.AnyAsync(i => i.EventId == safe), "the safe inbox item");
        Assert.Equal("Safe booking", mail.Subject);
        Assert.Single(await fixture.Mailbox.ToAsync(tenant.EmailOf("ann")));

        var detail = await tenant.ApiClient().GetFromJsonAsync<JsonElement>($"/v1/events/{hostile}");
        var inApp = detail.GetProperty("decisions").EnumerateArray().Single(d => d.GetProperty("channel").GetString() == Channel.InApp);
        Assert.StartsWith("content.link:", inApp.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_title_over_the_in_app_limit_is_render_invalid_while_email_still_goes()
    {
        var tenant = await TenantWithLinkTemplatesAsync();
        await tenant.AddRecipientAsync("ann");

        var decisions = await tenant.DecisionsAsync(await tenant.PostEventAsync(
            Booking("ann", "b:1", "https://example.com/b/1", new string('t', ChannelLimits.InAppTitle + 1))));

        Assert.Contains((Channel.InApp, DecisionOutcome.Blocked, ReasonCodes.RenderInvalid), decisions.Select(d => (d.Channel, d.Outcome, d.Reason)));
        Assert.Contains((Channel.Email, DecisionOutcome.Queued, (string?)null), decisions.Select(d => (d.Channel, d.Outcome, d.Reason)));
        await fixture.Mailbox.WaitForOneToAsync(tenant.EmailOf("ann"));
    }

    [Fact]
    public async Task A_scheme_the_tenant_allows_passes_after_the_operator_sets_it()
    {
        var tenant = await TenantWithLinkTemplatesAsync();
        await tenant.AddRecipientAsync("ann");
        var sys = fixture.Api.CreateClient();
        sys.DefaultRequestHeaders.Authorization = new("Bearer", CommsFixture.SysKey);

        var before = await tenant.DecisionsAsync(await tenant.PostEventAsync(Booking("ann", "b:1", "myapp://bookings/1")));
        var refused = await sys.PatchAsJsonAsync($"/sys/tenants/{tenant.Id}", new { allowedLinkSchemes = new[] { "javascript" } });
        var patched = await (await sys.PatchAsJsonAsync($"/sys/tenants/{tenant.Id}", new { allowedLinkSchemes = new[] { "myapp" } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var after = await tenant.DecisionsAsync(await tenant.PostEventAsync(Booking("ann", "b:2", "myapp://bookings/2")));

        Assert.All(before, d => Assert.Equal(ReasonCodes.RenderInvalid, d.Reason));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("allowedLinkSchemes", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["myapp"], patched.GetProperty("allowedLinkSchemes").EnumerateArray().Select(s => s.GetString()));
        Assert.Contains((Channel.InApp, DecisionOutcome.Queued, (string?)null), after.Select(d => (d.Channel, d.Outcome, d.Reason)));
    }

    [Fact]
    public async Task A_digest_whose_render_carries_a_refused_link_is_recorded_as_render_invalid_and_not_queued()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        await tenant.AddRecipientAsync("ann");
        await tenant.AddTemplateAsync("note", Channel.InApp, new TemplateContent { Title = "Note" });
        await tenant.AddTemplateAsync("notes.digest", Channel.InApp, new TemplateContent { Title = "{{ count }} notes", Link = "{{ last.url }}" });
        await tenant.SetRuleAsync("note", new
        {
            templateName = "note", category = "messages", channels = new[] { "in_app" },
            digest = new { key = "notes", windowSeconds = 1, templateName = "notes.digest" },
        });

        var id = await tenant.PostEventAsync(new { name = "note", recipients = new[] { "ann" }, causeRef = "n:1", payload = new { url = "vbscript:msgbox(1)" } });

        await using var db = fixture.CreateDbContext();
        var decision = await Poll.UntilAsync(
            () => db.Decisions.AsNoTracking().FirstOrDefaultAsync(d => d.EventId == id && d.Reason == ReasonCodes.RenderInvalid),
            "the digest's render to be refused", TimeSpan.FromSeconds(30));
        Assert.StartsWith("Digest 'notes': content.link:", decision.Detail, StringComparison.Ordinal);
        Assert.False(await db.Messages.AnyAsync(m => m.TenantId == tenant.Id));
    }

    [Fact]
    public async Task Preview_reports_a_refused_link_as_422_naming_the_field()
    {
        var tenant = await TenantWithLinkTemplatesAsync();
        var api = tenant.ApiClient();

        var inApp = await api.PostAsJsonAsync(TemplateRequests.Path(Event, "in_app") + "/versions/1/preview",
            new { payload = new { url = "java\tscript:alert(1)", title = "x" } });
        var email = await api.PostAsJsonAsync(TemplateRequests.Path(Event) + "/versions/1/preview",
            new { payload = new { url = "//evil.example", title = "x" } });
        var fine = await api.PostAsJsonAsync(TemplateRequests.Path(Event) + "/versions/1/preview",
            new { payload = new { url = "https://example.com", title = "x" } });

        Assert.Equal("content.link", (await inApp.ProblemAsync(HttpStatusCode.UnprocessableEntity, ReasonCodes.RenderInvalid)).GetProperty("field").GetString());
        Assert.Equal("content.html", (await email.ProblemAsync(HttpStatusCode.UnprocessableEntity, ReasonCodes.RenderInvalid)).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
    }
}
