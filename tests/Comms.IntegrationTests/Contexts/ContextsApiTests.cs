extern alias api;

using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Contexts;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Comms.IntegrationTests.Contexts;

/// <summary><c>/v1/contexts</c>: upsert by key, members with RSVP/membership statuses, the lifecycle and its seam.</summary>
[Collection(CommsCollection.Name)]
public sealed class ContextsApiTests(CommsFixture fixture)
{
    private static object Party(string owner = "host") => new
    {
        kind = "event", name = "Winter party", ownerExternalId = owner, date = "2030-12-24T19:00", timeZone = "Europe/Berlin",
        venue = "The Barn", attributes = new { rsvpLink = "https://example.test/rsvp/1" },
    };

    [Fact]
    public async Task A_context_is_created_updated_and_read_with_its_members()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "host", "ann", "ben");
        var api = tenant.ApiClient();

        var created = await api.PutAsJsonAsync("/v1/contexts/party-1", Party());
        var updated = await api.PutAsJsonAsync("/v1/contexts/party-1", new { name = "Winter party 2030" });
        var joined = await api.PutAsJsonAsync("/v1/contexts/party-1/members/ann", new { status = "attending" });
        var changed = await api.PutAsJsonAsync("/v1/contexts/party-1/members/ann", new { status = "maybe", displayName = "Annie" });
        await api.PutAsJsonAsync("/v1/contexts/party-1/members/ben", new { status = "pending" });
        var view = await api.GetFromJsonAsync<JsonElement>("/v1/contexts/party-1");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(HttpStatusCode.Created, joined.StatusCode);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("Winter party 2030", view.GetProperty("name").GetString());
        Assert.Equal("The Barn", view.GetProperty("venue").GetString());
        Assert.Equal("Europe/Berlin", view.GetProperty("timeZone").GetString());
        Assert.Equal(new DateTimeOffset(2030, 12, 24, 18, 0, 0, TimeSpan.Zero), view.GetProperty("date").GetDateTimeOffset());
        Assert.Equal("https://example.test/rsvp/1", view.GetProperty("attributes").GetProperty("rsvpLink").GetString());
        Assert.Equal(1, view.GetProperty("memberCounts").GetProperty("maybe").GetInt32());
        Assert.Equal(1, view.GetProperty("memberCounts").GetProperty("pending").GetInt32());
        var ann = view.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("externalId").GetString() == "ann");
        Assert.Equal("Annie", ann.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task Bad_input_is_4xx_names_the_field_and_stores_nothing()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "host", "ann");
        var api = tenant.ApiClient();

        var missing = await api.PutAsJsonAsync("/v1/contexts/c1", new { kind = "event" });
        var badDate = await api.PutAsJsonAsync("/v1/contexts/c1", new { kind = "event", name = "x", ownerExternalId = "host", date = "tomorrow" });
        var badZone = await api.PutAsJsonAsync("/v1/contexts/c1", new { kind = "event", name = "x", ownerExternalId = "host", timeZone = "Mars/Base" });
        var noOwner = await api.PutAsJsonAsync("/v1/contexts/c1", new { kind = "event", name = "x", ownerExternalId = "nobody" });
        var badKind = await api.PutAsJsonAsync("/v1/contexts/c1", new { kind = "Not A Slug", name = "x", ownerExternalId = "host" });
        var unknownContext = await api.PutAsJsonAsync("/v1/contexts/none/members/ann", new { status = "attending" });
        await api.PutAsJsonAsync("/v1/contexts/c2", new { kind = "event", name = "x", ownerExternalId = "host" });
        var badStatus = await api.PutAsJsonAsync("/v1/contexts/c2/members/ann", new { status = "sleeping" });
        var unknownRecipient = await api.PutAsJsonAsync("/v1/contexts/c2/members/zed", new { status = "attending" });
        var notMember = await api.DeleteAsync("/v1/contexts/c2/members/ann");
        var badChange = await api.PostAsJsonAsync("/v1/contexts/c2/status", new { status = "active" });
        var unknownGet = await api.GetAsync("/v1/contexts/none");

        foreach (var (response, field) in new[] { (missing, "name"), (badDate, "date"), (badZone, "timeZone"), (noOwner, "ownerExternalId"), (badKind, "kind"), (badStatus, "status"), (badChange, "status") })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("COMMS_VALIDATION", problem.GetProperty("type").GetString());
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{field}: {problem}");
        }

        Assert.Equal("COMMS_CONTEXT_NOT_FOUND", await TypeOf(unknownContext, HttpStatusCode.NotFound));
        Assert.Equal("COMMS_RECIPIENT_NOT_FOUND", await TypeOf(unknownRecipient, HttpStatusCode.NotFound));
        Assert.Equal("COMMS_MEMBER_NOT_FOUND", await TypeOf(notMember, HttpStatusCode.NotFound));
        Assert.Equal("COMMS_CONTEXT_NOT_FOUND", await TypeOf(unknownGet, HttpStatusCode.NotFound));
        await using var db = fixture.CreateDbContext();
        Assert.False(await db.Contexts.AnyAsync(c => c.TenantId == tenant.Id && c.Key == "c1"));
    }

    [Fact]
    public async Task Contexts_are_tenant_scoped_and_the_owner_reads_with_a_user_token()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "host", "ann");
        var other = await TestTenant.CreateAsync(fixture, "host");
        await tenant.ApiClient().PutAsJsonAsync("/v1/contexts/shared-key", Party());

        Assert.Equal(HttpStatusCode.NotFound, (await other.ApiClient().GetAsync("/v1/contexts/shared-key")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.ApiClient().PostAsJsonAsync("/v1/contexts/shared-key/status", new { status = "cancelled" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tenant.UserClient("host").GetAsync("/v1/contexts/shared-key")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.UserClient("ann").GetAsync("/v1/contexts/shared-key")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.UserClient("host").GetAsync("/v1/contexts/shared-key")).StatusCode);
        var badToken = fixture.Api.CreateClient();
        badToken.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "a.b.c");
        Assert.Equal(HttpStatusCode.Unauthorized, (await badToken.GetAsync("/v1/contexts/shared-key")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tenant.UserClient("host").PutAsJsonAsync("/v1/contexts/shared-key", Party())).StatusCode);
    }

    [Fact]
    public async Task Lifecycle_changes_go_through_the_seam_once_after_commit_and_cancelled_is_final()
    {
        var recorder = new RecordingLifecycle(fixture);
        await using var service = new ServiceFactory<api::Program>(fixture.Settings, services => services.AddSingleton<IContextLifecycle>(recorder));
        var tenant = await TestTenant.CreateAsync(fixture, "host", "ann", "ben");
        var api = service.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tenant.ApiKey);
        await api.PutAsJsonAsync("/v1/contexts/game", new { kind = "game", name = "Diplomacy", ownerExternalId = "host" });
        await api.PutAsJsonAsync("/v1/contexts/game/members/ann", new { status = "active" });
        await api.PutAsJsonAsync("/v1/contexts/game/members/ben", new { status = "active" });

        await api.PutAsJsonAsync("/v1/contexts/game/members/ann", new { status = "blocked" });
        var removed = await api.DeleteAsync("/v1/contexts/game/members/ben");
        var removedAgain = await api.DeleteAsync("/v1/contexts/game/members/ben");
        var paused = await api.PostAsJsonAsync("/v1/contexts/game/status", new { status = "paused" });
        var pausedAgain = await api.PostAsJsonAsync("/v1/contexts/game/status", new { status = "paused" });
        var resumed = await api.PostAsJsonAsync("/v1/contexts/game/status", new { status = "resumed" });
        var cancelled = await api.PostAsJsonAsync("/v1/contexts/game/status", new { status = "cancelled" });
        var resumeCancelled = await api.PostAsJsonAsync("/v1/contexts/game/status", new { status = "resumed" });

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, removedAgain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, pausedAgain.StatusCode);
        Assert.Equal("active", (await resumed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("COMMS_CONTEXT_STATUS_CONFLICT", await TypeOf(resumeCancelled, HttpStatusCode.Conflict));
        Assert.Equal(
            ["member ann: none -> active (stored active)", "member ben: none -> active (stored active)", "member ann: active -> blocked (stored blocked)",
             "member ben: active -> removed (stored removed)", "context game: active -> paused (stored paused)",
             "context game: paused -> active (stored active)", "context game: active -> cancelled (stored cancelled)"],
            recorder.Calls.Where(c => c.Contains(tenant.Id, StringComparison.Ordinal)).Select(c => c[(tenant.Id.Length + 1)..]).ToList());
    }

    private static async Task<string?> TypeOf(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString();
    }

    /// <summary>Records each call with the status the database holds at that moment (so "after commit" is checked).</summary>
    private sealed class RecordingLifecycle(CommsFixture fixture) : IContextLifecycle
    {
        public ConcurrentQueue<string> Calls { get; } = new();

        public async Task ContextStatusChangedAsync(Context context, string oldStatus, string newStatus, CancellationToken cancellationToken)
        {
            await using var db = fixture.CreateDbContext();
            var stored = await db.Contexts.Where(c => c.Id == context.Id).Select(c => c.Status).SingleAsync(cancellationToken);
            Calls.Enqueue($"{context.TenantId} context {context.Key}: {oldStatus} -> {newStatus} (stored {stored})");
        }

        public async Task MemberStatusChangedAsync(Context context, ContextMember member, string? oldStatus, string newStatus, CancellationToken cancellationToken)
        {
            await using var db = fixture.CreateDbContext();
            var stored = await db.ContextMembers.Where(m => m.Id == member.Id).Select(m => m.Status).SingleAsync(cancellationToken);
            Calls.Enqueue($"{context.TenantId} member {member.ExternalId}: {oldStatus ?? "none"} -> {newStatus} (stored {stored})");
        }
    }
}
