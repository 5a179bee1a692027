using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Auth;
using Comms.IntegrationTests.Infrastructure;
using Comms.TestServers;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Sys;

/// <summary>
/// Pause, resume and cancel of a sending broadcast — nothing lost, nothing sent twice, nothing sent while paused or
/// after a cancel beyond what a sender had already claimed — and the banner channel showing to users and ending on cancel.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class BroadcastControlTests(CommsFixture fixture)
{
    private readonly BroadcastSupport _support = new(fixture);

    private static readonly string[] Users = [.. Enumerable.Range(1, 40).Select(i => $"u{i:D2}")];

    private async Task<(TestTenant One, TestTenant Two, Guid Id, string Subject)> SendingAsync(string[]? channels = null)
    {
        var one = await TestTenant.CreateAsync(fixture, Users[..20]);
        var two = await TestTenant.CreateAsync(fixture, Users[20..]);
        var (_, token) = await _support.OperatorAsync();
        var subject = "Control " + Guid.NewGuid().ToString("N")[..6];
        var id = await _support.CreateAsync(BroadcastSupport.Draft(new { tenants = new[] { one.Id, two.Id } }, channels, subject), token);
        Assert.Equal(HttpStatusCode.Accepted, (await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/test-send", token)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/send", token)).StatusCode);
        return (one, two, id, subject);
    }

    private async Task<JsonElement> PostAsync(Guid id, string action, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/{action}", CommsFixture.SysKey);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == expected, body.ToString());
        return body;
    }

    /// <summary>The broadcast's messages by status, and whether any could still go out now (queued, due, not claimed).</summary>
    private async Task<(Dictionary<string, int> ByStatus, int DueNow)> MessagesAsync(Guid id)
    {
        await using var db = fixture.CreateDbContext();
        var events = (await db.SysBroadcasts.AsNoTracking().SingleAsync(b => b.Id == id)).EventIds;
        var messages = await db.Messages.AsNoTracking().Where(m => m.EventId != null && events.Contains(m.EventId.Value)).ToListAsync();
        var horizon = DateTimeOffset.UtcNow.AddYears(500);
        var pendingEvents = await db.Events.AsNoTracking().CountAsync(e => events.Contains(e.Id) && e.Status == "pending" && e.DueAt < horizon);
        return (messages.GroupBy(m => m.Status).ToDictionary(g => g.Key, g => g.Count()),
            pendingEvents + messages.Count(m => m.Status == "queued" && m.DueAt < horizon && (m.LeaseUntil == null || m.LeaseUntil < DateTimeOffset.UtcNow)));
    }

    private async Task<int> DeliveredAsync(string subject) => (await fixture.Mailbox.AllAsync()).Count(m => m.Subject == subject);

    [Fact]
    public async Task Pause_holds_everything_not_yet_out_and_resume_sends_the_rest_exactly_once()
    {
        var (_, _, id, subject) = await SendingAsync();
        var paused = await PostAsync(id, "pause");
        Assert.Equal("paused", paused.GetProperty("status").GetString());
        await PostAsync(id, "pause", HttpStatusCode.Conflict);

        // While paused nothing can go out: no event left to expand and no message due, except what a sender had claimed.
        var (_, dueNow) = await MessagesAsync(id);
        Assert.Equal(0, dueNow);
        var leased = await Poll.UntilAsync(async () =>
        {
            var (byStatus, _) = await MessagesAsync(id);
            await using var db = fixture.CreateDbContext();
            return await db.Messages.AnyAsync(m => m.Status == "queued" && m.LeaseUntil > DateTimeOffset.UtcNow && m.CauseRef == "sys-broadcast:" + id)
                ? null : (Dictionary<string, int>?)byStatus;
        }, "claimed messages to finish");
        var sentWhilePaused = leased!.GetValueOrDefault("sent");
        await Poll.UntilAsync(async () => await DeliveredAsync(subject) >= sentWhilePaused + 1, "the claimed mails to arrive"); // + the operator's test
        Assert.Equal("paused", (await _support.GetAsync(id)).GetProperty("status").GetString());

        var resumed = await PostAsync(id, "resume");
        Assert.Equal("sending", resumed.GetProperty("status").GetString());
        await Poll.UntilAsync(async () => (await _support.GetAsync(id)).GetProperty("status").GetString() == "sent", "the broadcast to be sent");

        // 40 users + the operator's own row (made by the test send) + the operator's test mail: each address once (the operator twice).
        await Poll.UntilAsync(async () => await DeliveredAsync(subject) == 42, "every mail");
        var mails = (await fixture.Mailbox.AllAsync()).Where(m => m.Subject == subject).ToList();
        Assert.Equal(40, mails.Select(m => m.To[0].Address).Distinct().Count(a => !a.StartsWith("op-", StringComparison.Ordinal)));
        Assert.Equal(40, mails.Count(m => !m.To[0].Address.StartsWith("op-", StringComparison.Ordinal)));
        var (finalStatus, _) = await MessagesAsync(id);
        Assert.Equal(41, finalStatus["sent"]);
        Assert.Equal(41, (await _support.GetAsync(id)).GetProperty("progress").GetProperty("email").GetProperty("sent").GetInt64());

        await using var audit = fixture.CreateDbContext();
        var actions = await audit.AuditLog.AsNoTracking().Where(a => a.Target == "broadcast:" + id).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        Assert.Equal(["sys.broadcast.created", "sys.broadcast.test_sent", "sys.broadcast.sent", "sys.broadcast.paused", "sys.broadcast.resumed"], actions);
    }

    [Fact]
    public async Task Cancel_stops_what_is_not_out_yet_and_nothing_arrives_afterwards_beyond_what_was_sent()
    {
        var (_, _, id, subject) = await SendingAsync();
        var cancelled = await PostAsync(id, "cancel");
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        await PostAsync(id, "resume", HttpStatusCode.Conflict);

        var (_, dueNow) = await MessagesAsync(id);
        Assert.Equal(0, dueNow);
        var byStatus = (await Poll.UntilAsync(async () =>
        {
            var (statuses, _) = await MessagesAsync(id);
            return statuses.ContainsKey("queued") ? null : statuses;
        }, "claimed messages to finish"))!;
        var sent = byStatus.GetValueOrDefault("sent");
        await Poll.UntilAsync(async () => await DeliveredAsync(subject) == sent + 1, "the mails sent before the cancel"); // + the operator's test
        var view = await _support.GetAsync(id);
        Assert.Equal("cancelled", view.GetProperty("status").GetString());
        Assert.Equal(byStatus.GetValueOrDefault("cancelled"), view.GetProperty("progress").GetProperty("email").GetProperty("cancelled").GetInt64());
    }

    [Fact]
    public async Task The_banner_channel_shows_the_banner_to_the_audience_and_cancel_ends_it()
    {
        var (one, _, id, subject) = await SendingAsync(["banner", "email"]);
        var banners = await one.UserClient("u01").GetFromJsonAsync<JsonElement>("/me/banners");
        var banner = banners.EnumerateArray().Single(b => b.GetProperty("title").GetString() == subject);
        Assert.Equal("maintenance", banner.GetProperty("kind").GetString());
        var outsider = await TestTenant.CreateAsync(fixture, "zed");
        Assert.DoesNotContain((await outsider.UserClient("zed").GetFromJsonAsync<JsonElement>("/me/banners")).EnumerateArray(),
            b => b.GetProperty("title").GetString() == subject);

        await PostAsync(id, "cancel");
        Assert.DoesNotContain((await one.UserClient("u01").GetFromJsonAsync<JsonElement>("/me/banners")).EnumerateArray(),
            b => b.GetProperty("title").GetString() == subject);
    }

    [Fact]
    public async Task Pause_and_resume_keep_each_held_messages_own_due_time_and_cancel_sends_none_of_them()
    {
        // Users inside their quiet hours: expanded at once into messages deferred to the end of the quiet hours.
        var now = TimeOnly.FromDateTime(DateTime.UtcNow);
        var tenant = await TestTenant.CreateAsync(fixture);
        foreach (var user in new[] { "q1", "q2", "q3" })
        {
            await tenant.AddRecipientAsync(user, r =>
            {
                r.QuietHoursEnabled = true;
                r.QuietHoursStart = now.AddHours(-1);
                r.QuietHoursEnd = now.AddHours(2);
            });
        }

        var (_, token) = await _support.OperatorAsync();
        var subject = "Quiet " + Guid.NewGuid().ToString("N")[..6];
        var id = await _support.CreateAsync(BroadcastSupport.Draft(new { tenants = new[] { tenant.Id } }, subject: subject), token);
        Assert.Equal(HttpStatusCode.Accepted, (await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/test-send", token)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/send", token)).StatusCode);

        async Task<Dictionary<Guid, DateTimeOffset>> HeldAsync()
        {
            await using var db = fixture.CreateDbContext();
            var events = (await db.SysBroadcasts.AsNoTracking().SingleAsync(b => b.Id == id)).EventIds;
            return await db.Messages.AsNoTracking().Where(m => m.EventId != null && events.Contains(m.EventId.Value) && m.Status == "queued")
                .ToDictionaryAsync(m => m.Id, m => m.DueAt);
        }

        var deferred = (await Poll.UntilAsync(async () => await HeldAsync() is { Count: 3 } held ? held : null, "three deferred messages"))!;
        Assert.All(deferred.Values, due => Assert.True(due > DateTimeOffset.UtcNow.AddMinutes(30)));
        Assert.Equal(3, (await _support.GetAsync(id)).GetProperty("progress").GetProperty("email").GetProperty("queued").GetInt64());

        await PostAsync(id, "pause");
        var paused = await HeldAsync();
        Assert.All(paused, m => Assert.Equal(deferred[m.Key].AddYears(1000), m.Value));

        await PostAsync(id, "resume");
        Assert.Equal(deferred.OrderBy(m => m.Key), (await HeldAsync()).OrderBy(m => m.Key));
        Assert.Equal("sending", (await _support.GetAsync(id)).GetProperty("status").GetString());

        var cancelled = await PostAsync(id, "cancel");
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Empty(await HeldAsync());
        Assert.Equal(3, cancelled.GetProperty("progress").GetProperty("email").GetProperty("cancelled").GetInt64());
        Assert.Empty(await fixture.Mailbox.ToAsync(tenant.EmailOf("q1")));
    }

    [Fact]
    public async Task A_banner_only_broadcast_to_a_role_is_sent_at_once_and_shows_only_to_that_role()
    {
        var role = "r" + Guid.NewGuid().ToString("N")[..8];
        var tenant = await TestTenant.CreateAsync(fixture, "plain");
        await tenant.AddRecipientAsync("boss", r => r.Roles = [role]);
        var (_, token) = await _support.OperatorAsync();
        var subject = "Banner " + Guid.NewGuid().ToString("N")[..6];
        var id = await _support.CreateAsync(new
        {
            title = "Banner only", audience = new { roles = new[] { role } }, channels = new[] { "banner" }, subject, body = "Read-only **tonight**.",
            banner = new { kind = "incident", severity = "critical" },
        }, token);
        Assert.Equal(HttpStatusCode.Accepted, (await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/test-send", token)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/send", token)).StatusCode);

        Assert.Equal("sent", (await _support.GetAsync(id)).GetProperty("status").GetString());
        var shown = (await tenant.UserClient("boss").GetFromJsonAsync<JsonElement>("/me/banners")).EnumerateArray()
            .Single(b => b.GetProperty("title").GetString() == subject);
        Assert.Equal(("incident", "critical"), (shown.GetProperty("kind").GetString(), shown.GetProperty("severity").GetString()));
        Assert.DoesNotContain((await tenant.UserClient("plain").GetFromJsonAsync<JsonElement>("/me/banners")).EnumerateArray(),
            b => b.GetProperty("title").GetString() == subject);
    }
}
