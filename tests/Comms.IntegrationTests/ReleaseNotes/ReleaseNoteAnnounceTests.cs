using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Comms.IntegrationTests.ReleaseNotes.ReleaseNoteTestSupport;

namespace Comms.IntegrationTests.ReleaseNotes;

/// <summary>
/// <c>POST /sys/release-notes/{id}/announce</c>: a published, public note becomes a broadcast draft of its public fields
/// (never the internal body or pull requests) on its channels, with the given audience; drafts, internal notes and bad
/// audiences are refused and create nothing; the announcement is audited.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ReleaseNoteAnnounceTests(CommsFixture fixture)
{
    [Fact]
    public async Task A_published_public_note_is_announced_as_a_broadcast_draft_of_its_public_fields()
    {
        using var sys = SysClient(fixture);
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var note = await CreatePublishedAsync(sys, Note(NewVersion(), "Digests {{ everywhere }}", publicBody: "Faster **digests**.",
            internalBody: "SECRET rollout notes", pullRequests: ["https://github.com/example/comms/pull/777"]));
        var id = note.GetProperty("id").GetString()!;
        var version = note.GetProperty("version").GetString()!;

        var response = await sys.PostAsJsonAsync($"/sys/release-notes/{id}/announce",
            new { audience = new { tenants = new[] { tenant.Id } }, changelogUrl = "https://comms.example.test/changelog" });
        var broadcast = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, broadcast.ToString());
        Assert.Equal("draft", broadcast.GetProperty("status").GetString());
        Assert.Equal(["banner", "email"], broadcast.GetProperty("channels").EnumerateArray().Select(c => c.GetString()).Order(StringComparer.Ordinal));
        var text = broadcast.ToString();
        Assert.Contains("Faster **digests**.", text, StringComparison.Ordinal);
        Assert.Contains("Added Digests", text, StringComparison.Ordinal);
        Assert.Contains("https://comms.example.test/changelog", text, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pull/777", text, StringComparison.Ordinal);
        var email = broadcast.GetProperty("content").GetProperty("email");
        Assert.StartsWith("{% raw %}", email.GetProperty("subject").GetString(), StringComparison.Ordinal); // Liquid in the title stays literal
        Assert.Contains($"{version}: Digests", email.GetProperty("subject").GetString(), StringComparison.Ordinal);
        Assert.Equal(response.Headers.Location!.ToString(), $"/sys/broadcasts/{broadcast.GetProperty("id").GetGuid()}");

        await using var db = fixture.CreateDbContext();
        var audit = await db.AuditLog.AsNoTracking().Where(a => a.Target == "release_note:" + id).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        Assert.Equal("sys.release_note.announced", audit[^1]);
    }

    [Fact]
    public async Task Drafts_internal_notes_bad_audiences_and_unknown_notes_are_refused_and_create_no_broadcast()
    {
        using var sys = SysClient(fixture);
        var draft = (await CreateAsync(sys, Note(NewVersion(), "Draft"))).GetProperty("id").GetString()!;
        var internalNote = (await CreatePublishedAsync(sys, Note(NewVersion(), "Internal", visibility: "internal"))).GetProperty("id").GetString()!;
        var published = (await CreatePublishedAsync(sys, Note(NewVersion(), "Public"))).GetProperty("id").GetString()!;
        await using var before = fixture.CreateDbContext();
        var broadcasts = await before.SysBroadcasts.CountAsync();

        async Task<(HttpStatusCode Status, JsonElement Body)> AnnounceAsync(string id, object body)
        {
            var response = await sys.PostAsJsonAsync($"/sys/release-notes/{id}/announce", body);
            return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
        }

        var all = new { audience = new { allTenants = true } };
        Assert.Equal(HttpStatusCode.Conflict, (await AnnounceAsync(draft, all)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await AnnounceAsync(internalNote, all)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await AnnounceAsync(Guid.NewGuid().ToString(), all)).Status);
        var (status, body) = await AnnounceAsync(published, new { });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.True(body.GetProperty("errors").TryGetProperty("audience", out _));
        (status, body) = await AnnounceAsync(published, new { audience = new { tenants = new[] { "no-such-tenant-" + Guid.NewGuid().ToString("N")[..8] } } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("COMMS_VALIDATION", body.GetProperty("type").GetString());
        (status, body) = await AnnounceAsync(published, new { audience = new { tenants = new[] { "demo" } }, changelogUrl = "javascript:alert(1)" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.True(body.GetProperty("errors").TryGetProperty("changelogUrl", out _));

        await using var after = fixture.CreateDbContext();
        Assert.Equal(broadcasts, await after.SysBroadcasts.CountAsync());
    }
}
