using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Comms.IntegrationTests.Infrastructure;
using static Comms.IntegrationTests.ReleaseNotes.ReleaseNoteTestSupport;

namespace Comms.IntegrationTests.ReleaseNotes;

/// <summary>
/// The public changelog without a credential: JSON pages (newest first, cursor), the Atom feed (parsed and checked for
/// RFC 4287's required elements), the Comms.Web page, and none of them shows internal fields, drafts or internal notes.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class PublicChangelogTests(CommsFixture fixture)
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";

    [Fact]
    public async Task The_json_changelog_pages_newest_first_with_a_cursor_and_shows_only_published_public_notes()
    {
        using var sys = SysClient(fixture);
        var published = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            published.Add((await CreatePublishedAsync(sys, Note(NewVersion(), $"Paged {i}"))).GetProperty("version").GetString()!);
        }

        var internalNote = (await CreatePublishedAsync(sys, Note(NewVersion(), "Internal only", visibility: "internal"))).GetProperty("version").GetString()!;
        var draft = (await CreateAsync(sys, Note(NewVersion(), "Still a draft"))).GetProperty("version").GetString()!;

        using var anonymous = fixture.Api.CreateClient();
        var seen = new List<(string Version, DateTimeOffset At)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var response = await anonymous.GetAsync("/public/changelog?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.InRange(items.Count, 1, 2);
            seen.AddRange(items.Select(n => (n.GetProperty("version").GetString()!, n.GetProperty("publishedAt").GetDateTimeOffset())));
            Assert.All(items, n =>
            {
                Assert.False(n.TryGetProperty("internalBody", out _));
                Assert.False(n.TryGetProperty("pullRequests", out _));
                Assert.False(n.TryGetProperty("channels", out _));
            });
            cursor = page.GetProperty("next").GetString();
        }
        while (cursor is not null && ++pages < 10_000);

        Assert.Equal(seen.Count, seen.Select(s => s.Version).Distinct().Count());
        Assert.Equal(seen.Select(s => s.At).OrderDescending(), seen.Select(s => s.At));
        var ours = seen.Select(s => s.Version).Where(published.Contains).ToList();
        Assert.Equal(Enumerable.Reverse(published), ours);
        Assert.DoesNotContain(internalNote, seen.Select(s => s.Version));
        Assert.DoesNotContain(draft, seen.Select(s => s.Version));

        var badCursor = await anonymous.GetAsync("/public/changelog?cursor=not-a-cursor");
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
        var badLimit = await anonymous.GetAsync("/public/changelog?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
    }

    [Fact]
    public async Task The_atom_feed_is_valid_atom_with_the_published_notes()
    {
        using var sys = SysClient(fixture);
        var note = await CreatePublishedAsync(sys, Note(NewVersion(), "Atom entry", publicBody: "Now with **bold** <b>html</b> & more."));
        var id = note.GetProperty("id").GetString()!;

        using var anonymous = fixture.Api.CreateClient();
        var response = await anonymous.GetAsync("/public/changelog.atom");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/atom+xml", response.Content.Headers.ContentType?.MediaType);

        var feed = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        Assert.Equal(Atom + "feed", feed.Name);
        Assert.StartsWith("tag:", feed.Element(Atom + "id")?.Value, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(feed.Element(Atom + "title")?.Value));
        Assert.True(DateTimeOffset.TryParse(feed.Element(Atom + "updated")?.Value, out _));
        var self = feed.Elements(Atom + "link").Single(l => (string?)l.Attribute("rel") == "self");
        Assert.EndsWith("/public/changelog.atom", (string?)self.Attribute("href"), StringComparison.Ordinal);
        Assert.True(Uri.IsWellFormedUriString((string?)self.Attribute("href"), UriKind.Absolute));

        var entries = feed.Elements(Atom + "entry").ToList();
        Assert.All(entries, e =>
        {
            Assert.Matches("^(urn:uuid:[0-9a-f-]{36}|tag:.+)$", e.Element(Atom + "id")!.Value);
            Assert.False(string.IsNullOrWhiteSpace(e.Element(Atom + "title")?.Value));
            Assert.True(DateTimeOffset.TryParse(e.Element(Atom + "updated")?.Value, out _));
            Assert.Equal("html", (string?)e.Element(Atom + "content")?.Attribute("type"));
        });

        var ours = entries.Single(e => e.Element(Atom + "id")!.Value == "urn:uuid:" + id);
        Assert.Contains("Atom entry", ours.Element(Atom + "title")!.Value, StringComparison.Ordinal);
        Assert.Equal(note.GetProperty("publishedAt").GetDateTimeOffset(), DateTimeOffset.Parse(ours.Element(Atom + "updated")!.Value, System.Globalization.CultureInfo.InvariantCulture));
        var html = ours.Element(Atom + "content")!.Value;
        Assert.Contains("<strong>bold</strong>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>html</b>", html, StringComparison.Ordinal); // raw HTML in Markdown is not passed through
        Assert.Contains("<li>Fixed Atom entry</li>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_changelog_page_renders_published_notes_with_safe_markdown()
    {
        using var sys = SysClient(fixture);
        var version = NewVersion();
        await CreatePublishedAsync(sys, Note(version, "Page entry <i>x</i>", publicBody: "A *page* body <script>alert('x')</script> [link](javascript:alert(1))"));

        using var web = new HttpClient { BaseAddress = new Uri(fixture.Web.BaseUrl) };
        var response = await web.GetAsync("/changelog");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains($"id=\"v-{version}\"", html, StringComparison.Ordinal);
        Assert.Contains("<em>page</em>", html, StringComparison.Ordinal);
        Assert.Contains("Page entry &lt;i&gt;x&lt;/i&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript:alert", html, StringComparison.Ordinal);
        Assert.Contains("<li>Added Page entry &lt;i&gt;x&lt;/i&gt;</li>", html, StringComparison.Ordinal);
        Assert.Contains("application/atom+xml", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Internal_fields_drafts_and_internal_notes_appear_in_no_public_output()
    {
        var marker = Guid.NewGuid().ToString("N");
        using var sys = SysClient(fixture);
        var publicTitle = "Public title " + marker;
        await CreatePublishedAsync(sys, Note(NewVersion(), publicTitle, publicBody: "Customer words " + marker,
            internalBody: "INTERNAL-BODY-" + marker, pullRequests: [$"https://github.com/example/comms/pull/PR-{marker}"]));
        await CreatePublishedAsync(sys, Note(NewVersion(), "INTERNAL-NOTE-" + marker, visibility: "internal", publicBody: "INTERNAL-NOTE-BODY-" + marker));
        await CreateAsync(sys, Note(NewVersion(), "DRAFT-NOTE-" + marker, publicBody: "DRAFT-BODY-" + marker));

        using var api = fixture.Api.CreateClient();
        using var web = new HttpClient { BaseAddress = new Uri(fixture.Web.BaseUrl) };
        var outputs = new Dictionary<string, string>
        {
            ["json"] = await api.GetStringAsync("/public/changelog?limit=100"),
            ["atom"] = await api.GetStringAsync("/public/changelog.atom"),
            ["html"] = await web.GetStringAsync("/changelog"),
        };

        foreach (var (name, text) in outputs)
        {
            Assert.True(text.Contains(publicTitle, StringComparison.Ordinal), $"{name} lacks the public note");
            Assert.True(text.Contains("Customer words " + marker, StringComparison.Ordinal), $"{name} lacks the public body");
            foreach (var secret in new[] { "INTERNAL-BODY-", "PR-", "INTERNAL-NOTE-", "DRAFT-" })
            {
                Assert.False(text.Contains(secret + marker, StringComparison.Ordinal), $"{name} shows {secret}");
            }

            Assert.DoesNotContain("github.com/example/comms/pull", text, StringComparison.Ordinal);
            Assert.DoesNotContain("in_app", text, StringComparison.Ordinal);
        }
    }
}
