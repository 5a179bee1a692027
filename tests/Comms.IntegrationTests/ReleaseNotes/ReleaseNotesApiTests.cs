using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Auth;
using Comms.Core.Operators;
using Comms.IntegrationTests.Auth;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Comms.IntegrationTests.ReleaseNotes.ReleaseNoteTestSupport;

namespace Comms.IntegrationTests.ReleaseNotes;

/// <summary>
/// <c>/sys/release-notes</c>: create, read, replace, list, publish and delete by an operator (each write audited as
/// <c>operator:&lt;id&gt;</c>), validation naming the fields (nothing stored), a taken version, fresh-auth on publish,
/// and no access without a platform credential.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ReleaseNotesApiTests(CommsFixture fixture)
{
    [Fact]
    public async Task An_operator_creates_changes_publishes_and_deletes_a_note_and_every_write_is_audited()
    {
        var op = await OperatorTestSupport.CreateAsync(fixture, OperatorRoles.SysOperator);
        using var client = fixture.Api.CreateClient();
        var token = await OperatorTestSupport.TokenAsync(client, op.Email!);
        var version = NewVersion();

        var created = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sys/release-notes")
        {
            Content = JsonContent.Create(Note(version, "Faster inbox")),
        }.With(token));
        var note = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = note.GetProperty("id").GetString()!;
        Assert.Equal($"/sys/release-notes/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("draft", note.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, note.GetProperty("publishedAt").ValueKind);
        Assert.Equal(["in_app", "email"], note.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["https://github.com/example/comms/pull/1"], note.GetProperty("pullRequests").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["Added Faster inbox"], note.GetProperty("sections").GetProperty("added").EnumerateArray().Select(c => c.GetString()));

        var replaced = await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/sys/release-notes/{id}")
        {
            Content = JsonContent.Create(Note(version, "Much faster inbox", internalBody: "Changed internal words.")),
        }.With(token));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);

        var read = await (await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/sys/release-notes/{id}").With(token))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Much faster inbox", read.GetProperty("title").GetString());
        Assert.Equal("Changed internal words.", read.GetProperty("internalBody").GetString());

        var list = await (await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/sys/release-notes?limit=100").With(token))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(list.EnumerateArray(), n => n.GetProperty("id").GetString() == id);

        var published = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/sys/release-notes/{id}/publish").With(token));
        var publishedNote = await published.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        Assert.Equal("published", publishedNote.GetProperty("status").GetString());
        var publishedAt = publishedNote.GetProperty("publishedAt").GetDateTimeOffset();
        Assert.InRange(publishedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));

        // Publishing again changes nothing.
        var again = await (await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/sys/release-notes/{id}/publish").With(token))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(publishedAt, again.GetProperty("publishedAt").GetDateTimeOffset());

        var deleted = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/sys/release-notes/{id}").With(token));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var gone = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/sys/release-notes/{id}").With(token));
        Assert.Equal((404, "COMMS_NOT_FOUND"), ((int)gone.StatusCode, (await OperatorTestSupport.ProblemAsync(gone)).Type));

        await using var command = fixture.DataSource.CreateCommand(
            "SELECT action, actor FROM audit_log WHERE target = @target ORDER BY id");
        command.Parameters.AddWithValue("target", "release_note:" + id);
        var rows = new List<(string Action, string Actor)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        Assert.Equal(["sys.release_note.created", "sys.release_note.updated", "sys.release_note.published", "sys.release_note.deleted"],
            rows.Select(r => r.Action));
        Assert.All(rows, r => Assert.Equal("operator:" + op.Id, r.Actor));
    }

    [Fact]
    public async Task Invalid_notes_are_refused_naming_each_field_and_nothing_is_stored()
    {
        using var sys = SysClient(fixture);
        var version = "not-a-version-" + Guid.NewGuid().ToString("N")[..6];
        var response = await sys.PostAsJsonAsync("/sys/release-notes", new
        {
            version,
            title = "",
            sections = new { added = new[] { "ok", " " } },
            pullRequests = new[] { "http://github.com/example/comms/pull/2", "javascript:alert(1)" },
            visibility = "secret",
            channels = new[] { "in_app", "sms" },
        });
        var problem = await OperatorTestSupport.ProblemAsync(response);
        Assert.Equal((400, "COMMS_VALIDATION"), (problem.Status, problem.Type));
        var fields = problem.Body.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "version", "title", "sections.added[1]", "pullRequests[0]", "pullRequests[1]", "visibility", "channels[1]" }, fields);

        var noBody = await sys.PostAsync("/sys/release-notes", JsonContent.Create<object?>(null));
        Assert.Equal(HttpStatusCode.BadRequest, noBody.StatusCode);

        await using var count = fixture.DataSource.CreateCommand("SELECT count(*) FROM sys_release_notes WHERE version = @v");
        count.Parameters.AddWithValue("v", version);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_version_has_one_note()
    {
        using var sys = SysClient(fixture);
        var version = NewVersion();
        var first = await CreateAsync(sys, Note(version, "First"));

        var taken = await sys.PostAsJsonAsync("/sys/release-notes", Note(version, "Second"));
        var problem = await OperatorTestSupport.ProblemAsync(taken);
        Assert.Equal((409, "COMMS_CONFLICT"), (problem.Status, problem.Type));

        var other = await CreateAsync(sys, Note(NewVersion(), "Other"));
        var renamed = await sys.PutAsJsonAsync($"/sys/release-notes/{other.GetProperty("id").GetString()}", Note(version, "Other"));
        Assert.Equal(HttpStatusCode.Conflict, renamed.StatusCode);
        Assert.Equal("First", (await (await sys.GetAsync($"/sys/release-notes/{first.GetProperty("id").GetString()}")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Publishing_needs_a_recent_sign_in_and_a_platform_credential()
    {
        var op = await OperatorTestSupport.CreateAsync(fixture, OperatorRoles.SysOperator);
        using var sys = SysClient(fixture);
        var id = (await CreateAsync(sys, Note(NewVersion(), "Needs fresh auth"))).GetProperty("id").GetString()!;

        string stale;
        await using (var scope = fixture.Api.Services.CreateAsyncScope())
        {
            var then = DateTimeOffset.UtcNow.AddMinutes(-6);
            var tokens = new OperatorTokens(scope.ServiceProvider.GetRequiredService<IOptions<OperatorOptions>>(),
                scope.ServiceProvider.GetRequiredService<IOptions<UserTokenOptions>>(), new FakeTimeProvider(then));
            var user = (await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Operator>>().FindByIdAsync(op.Id.ToString()))!;
            stale = tokens.Issue(await scope.ServiceProvider.GetRequiredService<OperatorSignIn>().ClaimsAsync(user, then, CancellationToken.None));
        }

        using var client = fixture.Api.CreateClient();
        var refused = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/sys/release-notes/{id}/publish").With(stale));
        Assert.Equal((401, "COMMS_FRESH_AUTH_REQUIRED"), ((int)refused.StatusCode, (await OperatorTestSupport.ProblemAsync(refused)).Type));
        var still = await (await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/sys/release-notes/{id}").With(stale))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("draft", still.GetProperty("status").GetString());

        var anonymous = await client.GetAsync("/sys/release-notes");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var tenant = await TestTenant.CreateAsync(fixture);
        using var tenantClient = tenant.ApiClient();
        var tenantCall = await tenantClient.PostAsJsonAsync("/sys/release-notes", Note(NewVersion(), "Tenant"));
        Assert.False(tenantCall.IsSuccessStatusCode);
    }
}
