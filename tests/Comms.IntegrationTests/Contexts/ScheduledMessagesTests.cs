using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Contexts;
using Comms.Core.Data;
using Comms.Core.Queueing;
using Comms.Core.Routing;
using Comms.IntegrationTests.Infrastructure;
using Comms.TestServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Comms.IntegrationTests.Contexts;

/// <summary>SPEC S7 over HTTP and the scheduler: reminders, compose/edit/send-now/cancel, live counts, exactly-once firing, outcomes.</summary>
[Collection(CommsCollection.Name)]
public sealed partial class ScheduledMessagesTests(CommsFixture fixture)
{
    private static string Local(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A tenant with an event hosted by "host" and guests ann (attending), ben (pending), cat (declined), dan (maybe), eve (removed).</summary>
    private async Task<TestTenant> PartyAsync(string key, DateTimeOffset date)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "host", "ann", "ben", "cat", "dan", "eve");
        var api = tenant.ApiClient();
        await OkJsonAsync(await api.PutAsJsonAsync($"/v1/contexts/{key}", new
        {
            kind = "event", name = "Winter party", ownerExternalId = "host", date = Local(date), timeZone = "UTC", venue = "The Barn",
            attributes = new { rsvpLink = "https://example.test/rsvp" },
        }), HttpStatusCode.Created);
        foreach (var (guest, status) in new[] { ("ann", "attending"), ("ben", "pending"), ("cat", "declined"), ("dan", "maybe"), ("eve", "removed") })
        {
            await OkJsonAsync(await api.PutAsJsonAsync($"/v1/contexts/{key}/members/{guest}", new { status }), HttpStatusCode.Created);
        }

        return tenant;
    }

    [Fact]
    public async Task A_dated_event_gets_its_four_reminders_with_friendly_labels_and_past_ones_are_skipped()
    {
        var far = DateTimeOffset.UtcNow.AddDays(30);
        var tenant = await PartyAsync("far", far);
        await tenant.ApiClient().PutAsJsonAsync("/v1/contexts/soon", new { kind = "event", name = "Soon", ownerExternalId = "host", date = Local(DateTimeOffset.UtcNow.AddDays(2)) });
        await tenant.ApiClient().PutAsJsonAsync("/v1/contexts/undated", new { kind = "project", name = "No date", ownerExternalId = "host" });

        var list = await tenant.UserClient("host").GetFromJsonAsync<JsonElement>("/v1/contexts/far/messages");
        var soon = await tenant.ApiClient().GetFromJsonAsync<JsonElement>("/v1/contexts/soon/messages");
        var undated = await tenant.ApiClient().GetFromJsonAsync<JsonElement>("/v1/contexts/undated/messages");

        Assert.Equal(["7-day reminder", "3-day last call", "1-day reminder", "Day-of reminder"], list.EnumerateArray().Select(m => m.GetProperty("label").GetString()));
        Assert.All(list.EnumerateArray(), m => Assert.Equal("scheduled", m.GetProperty("status").GetString()));
        Assert.Equal(far.AddDays(-7).UtcDateTime, list[0].GetProperty("sendAt").GetDateTimeOffset().UtcDateTime, TimeSpan.FromMinutes(1));
        Assert.Equal("pending", list[1].GetProperty("audience").GetString());
        Assert.Equal(["1-day reminder", "Day-of reminder"], soon.EnumerateArray().Select(m => m.GetProperty("label").GetString()));
        Assert.Empty(undated.EnumerateArray());
        Assert.DoesNotContain("reminder_", list.EnumerateArray().Select(m => m.GetProperty("label").GetString()!).Aggregate(string.Concat), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_recipient_count_follows_the_audience_presets_live()
    {
        var tenant = await PartyAsync("count", DateTimeOffset.UtcNow.AddDays(30));
        var host = tenant.UserClient("host");
        async Task<int> CountAsync(string audience) =>
            (await host.GetFromJsonAsync<JsonElement>($"/v1/contexts/count/messages/recipient-count?audience={audience}")).GetProperty("count").GetInt32();

        Assert.Equal(4, await CountAsync("everyone"));
        Assert.Equal(1, await CountAsync("attending"));
        Assert.Equal(1, await CountAsync("pending"));
        Assert.Equal(1, await CountAsync("declined"));
        Assert.Equal(1, await CountAsync("maybe"));
        await tenant.ApiClient().PutAsJsonAsync("/v1/contexts/count/members/ben", new { status = "attending" });
        await tenant.ApiClient().PutAsJsonAsync("/v1/contexts/count/members/cat", new { status = "blocked" });
        Assert.Equal(2, await CountAsync("attending"));
        Assert.Equal(0, await CountAsync("pending"));
        Assert.Equal(3, await CountAsync("everyone"));
        var bad = await host.GetAsync("/v1/contexts/count/messages/recipient-count?audience=vips");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.UserClient("ann").GetAsync("/v1/contexts/count/messages/recipient-count")).StatusCode);
    }

    [Fact]
    public async Task A_host_drafts_edits_sends_now_and_guests_get_it_personalised_then_edits_and_cancels_are_409()
    {
        var tenant = await PartyAsync("party", new DateTimeOffset(2030, 12, 24, 18, 0, 0, TimeSpan.Zero));
        await using (var db = fixture.CreateDbContext())
        {
            var ann = await db.Recipients.SingleAsync(r => r.TenantId == tenant.Id && r.ExternalId == "ann");
            ann.TimeZone = "America/New_York";
            var dan = await db.Recipients.SingleAsync(r => r.TenantId == tenant.Id && r.ExternalId == "dan");
            (dan.TimeZone, dan.Locale) = ("Europe/Berlin", "de-DE");
            await db.SaveChangesAsync();
        }

        var host = tenant.UserClient("host");
        var draft = await OkJsonAsync(await host.PostAsJsonAsync("/v1/contexts/party/messages", new
        {
            audience = "attending", channels = new[] { "in_app" }, subject = "Hi {{guest_name}}", body = "Draft", status = "draft",
        }), HttpStatusCode.Created);
        var id = draft.GetProperty("id").GetString();
        var edited = await OkJsonAsync(await host.PatchAsJsonAsync($"/v1/contexts/party/messages/{id}", new
        {
            audience = "everyone", body = "{{event_name}} on {{event_date}} at {{venue}}. RSVP: {{rsvp_link}} {{unknown}}",
            status = "scheduled", sendAt = DateTimeOffset.UtcNow.AddDays(1),
        }), HttpStatusCode.OK);
        var sending = await OkJsonAsync(await host.PostAsync($"/v1/contexts/party/messages/{id}/send-now", null), HttpStatusCode.Accepted);

        var details = JsonDocument.Parse(await Poll.UntilAsync(async () =>
        {
            var json = await host.GetFromJsonAsync<JsonElement>($"/v1/contexts/party/messages/{id}");
            return json.GetProperty("message").GetProperty("status").GetString() == "sent" ? json.GetRawText() : null;
        }, "the message to be sent")).RootElement;
        var patchAfter = await host.PatchAsJsonAsync($"/v1/contexts/party/messages/{id}", new { subject = "Too late" });
        var cancelAfter = await host.DeleteAsync($"/v1/contexts/party/messages/{id}");
        var sendAgain = await host.PostAsync($"/v1/contexts/party/messages/{id}/send-now", null);

        Assert.Equal("everyone", edited.GetProperty("audience").GetString());
        Assert.Equal("scheduled", sending.GetProperty("status").GetString());
        Assert.Equal(4, details.GetProperty("message").GetProperty("recipientCount").GetInt32());
        Assert.Equal(["ann", "ben", "cat", "dan"], details.GetProperty("deliveries").EnumerateArray().Select(d => d.GetProperty("externalId").GetString()));
        Assert.All(details.GetProperty("deliveries").EnumerateArray(), d => Assert.Equal("submitted", d.GetProperty("status").GetString()));
        foreach (var response in new[] { patchAfter, cancelAfter, sendAgain })
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Equal("COMMS_MESSAGE_NOT_EDITABLE", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        }

        var annInbox = await Poll.UntilAsync(async () =>
        {
            var text = await tenant.UserClient("ann").GetStringAsync("/me/notifications");
            return text.Contains("Hi ann", StringComparison.Ordinal) ? text : null;
        }, "ann's copy in her inbox");
        var danInbox = await Poll.UntilAsync(async () =>
        {
            var text = await tenant.UserClient("dan").GetStringAsync("/me/notifications");
            return text.Contains("Hi dan", StringComparison.Ordinal) ? text : null;
        }, "dan's copy in his inbox");
        Assert.Contains("Winter party on Tuesday, December 24, 2030 1:00 PM (America/New_York) at The Barn. RSVP: https://example.test/rsvp {{unknown}}", annInbox, StringComparison.Ordinal);
        Assert.Contains("Dienstag, 24. Dezember 2030 19:00 (Europe/Berlin)", danInbox, StringComparison.Ordinal);
        Assert.DoesNotContain("Hi eve", await tenant.UserClient("eve").GetStringAsync("/me/notifications"), StringComparison.Ordinal);

        var outcomes = JsonDocument.Parse(await Poll.UntilAsync(async () =>
        {
            var json = await host.GetFromJsonAsync<JsonElement>($"/v1/contexts/party/messages/{id}");
            var channels = json.GetProperty("deliveries").EnumerateArray().Select(d => d.GetProperty("channels")).ToList();
            return channels.All(c => c.GetArrayLength() == 1 && c[0].GetProperty("status").GetString() == "sent") ? json.GetRawText() : null;
        }, "every guest's in-app copy to be sent")).RootElement;
        Assert.Equal("in_app", outcomes.GetProperty("deliveries")[0].GetProperty("channels")[0].GetProperty("channel").GetString());

        // A second message is cancelled before it fires; it cannot be edited afterwards.
        var second = await OkJsonAsync(await tenant.ApiClient().PostAsJsonAsync("/v1/contexts/party/messages", new
        {
            subject = "Later", body = "Later", status = "scheduled", sendAt = DateTimeOffset.UtcNow.AddDays(2),
        }), HttpStatusCode.Created);
        var cancelled = await OkJsonAsync(await host.DeleteAsync($"/v1/contexts/party/messages/{second.GetProperty("id").GetString()}"), HttpStatusCode.OK);
        var editCancelled = await host.PatchAsJsonAsync($"/v1/contexts/party/messages/{second.GetProperty("id").GetString()}", new { subject = "x" });
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, editCancelled.StatusCode);
    }

    [Fact]
    public async Task Bad_input_is_400_other_users_are_403_other_tenants_404_and_the_events_alias_is_the_same_resource()
    {
        var tenant = await PartyAsync("alias", DateTimeOffset.UtcNow.AddDays(30));
        var other = await TestTenant.CreateAsync(fixture, "host");
        var host = tenant.UserClient("host");

        var noSubject = await host.PostAsJsonAsync("/v1/contexts/alias/messages", new { body = "x" });
        var badChannel = await host.PostAsJsonAsync("/v1/contexts/alias/messages", new { subject = "s", body = "b", channels = new[] { "fax" } });
        var pastSend = await host.PostAsJsonAsync("/v1/contexts/alias/messages", new { subject = "s", body = "b", status = "scheduled", sendAt = DateTimeOffset.UtcNow.AddMinutes(-1) });
        var badStatus = await host.PostAsJsonAsync("/v1/contexts/alias/messages", new { subject = "s", body = "b", status = "sent" });
        var guest = await tenant.UserClient("ann").PostAsJsonAsync("/v1/contexts/alias/messages", new { subject = "s", body = "b" });
        var otherTenant = await other.ApiClient().GetAsync("/v1/contexts/alias/messages");
        var viaAlias = await host.PostAsJsonAsync("/events/alias/messages", new { subject = "Alias", body = "b" });
        var aliasList = await host.GetFromJsonAsync<JsonElement>("/events/alias/messages");
        var aliasCount = await host.GetFromJsonAsync<JsonElement>("/events/alias/messages/recipient-count?audience=attending");
        var unknown = await host.GetAsync($"/v1/contexts/alias/messages/{Guid.NewGuid()}");

        foreach (var (response, field) in new[] { (noSubject, "subject"), (badChannel, "channels"), (pastSend, "sendAt"), (badStatus, "status") })
        {
            var problem = await OkJsonAsync(response, HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }

        Assert.Equal(HttpStatusCode.Forbidden, guest.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherTenant.StatusCode);
        Assert.Equal(HttpStatusCode.Created, viaAlias.StatusCode);
        Assert.Contains("Alias", aliasList.EnumerateArray().Select(m => m.GetProperty("subject").GetString()));
        Assert.Equal(1, aliasCount.GetProperty("count").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        await using var db = fixture.CreateDbContext();
        Assert.Equal(5, await db.ScheduledMessages.CountAsync(m => m.TenantId == tenant.Id)); // the 4 reminders and the alias's message
    }

    private ScheduledMessageScheduler Scheduler(TimeProvider clock)
    {
        var services = fixture.Api.Services;
        var contexts = services.GetRequiredService<IDbContextFactory<CommsDbContext>>();
        return new ScheduledMessageScheduler(fixture.DataSource, contexts,
            new TenantCatalog(contexts, Options.Create(new CatalogOptions()), clock), new WakeUps(services.GetRequiredService<IConnectionMultiplexer>()),
            clock, NullLogger<ScheduledMessageScheduler>.Instance);
    }
}
