using System.Xml.Linq;
using Comms.Core.ReleaseNotes;

namespace Comms.Core.Tests;

public sealed class ReleaseNoteRulesTests
{
    private static ReleaseNoteRequest Valid(string version = "1.4.0") =>
        new(version, "Faster inbox", "internal", "public", new(["a"], [], ["b"]), ["https://github.com/example/comms/pull/1"], "public", ["in_app", "email"]);

    [Theory]
    [InlineData("1.4.0")]
    [InlineData("1.4")]
    [InlineData("v2.0.0-rc.1")]
    [InlineData("1.0.0+build.5")]
    public void Semver_ish_versions_are_accepted(string version) => Assert.Empty(ReleaseNoteRules.Validate(Valid(version)));

    [Theory]
    [InlineData("1")]
    [InlineData("01.2.3")]
    [InlineData("1.2.3.4")]
    [InlineData("1.2.3 ")]
    [InlineData("latest")]
    public void Other_versions_are_refused(string version) => Assert.Equal(["version"], ReleaseNoteRules.Validate(Valid(version)).Keys);

    [Fact]
    public void Each_bad_field_is_named_by_its_json_path()
    {
        var errors = ReleaseNoteRules.Validate(new ReleaseNoteRequest("1.0.0", " ", null, null, new(null, ["ok", ""], null),
            ["https://ok.example/pr/1", "http://plain.example/pr/2", "https://user:pw@example.com/x", "relative/path"], "secret", ["sms", "in_app", "in_app"]));

        Assert.Equal(
            new[] { "channels", "channels[0]", "pullRequests[1]", "pullRequests[2]", "pullRequests[3]", "sections.changed[1]", "title", "visibility" },
            errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["$"], ReleaseNoteRules.Validate(null).Keys);
    }

    [Fact]
    public void The_atom_feed_has_the_required_elements_and_encodes_the_items()
    {
        var at = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
        var note = new PublicReleaseNote(Guid.Parse("0196f6a4-0000-7000-8000-000000000001"), "1.4.0", "Faster <inbox>", "**Fast**", "<p><strong>Fast</strong></p>",
            new ReleaseNoteSections { Fixed = ["<script>x</script>"] }, at);

        var feed = XDocument.Parse(ChangelogAtom.Build([note], new Uri("https://comms.example.com/public/changelog.atom"), at.AddDays(1))).Root!;
        XNamespace atom = "http://www.w3.org/2005/Atom";

        Assert.Equal("tag:comms.example.com,2026:changelog", feed.Element(atom + "id")!.Value);
        Assert.Equal("2026-11-26T12:00:00.000000Z", feed.Element(atom + "updated")!.Value);
        var entry = feed.Element(atom + "entry")!;
        Assert.Equal("urn:uuid:0196f6a4-0000-7000-8000-000000000001", entry.Element(atom + "id")!.Value);
        Assert.Equal("1.4.0: Faster <inbox>", entry.Element(atom + "title")!.Value);
        Assert.Equal("<p><strong>Fast</strong></p><h3>Fixed</h3><ul><li>&lt;script&gt;x&lt;/script&gt;</li></ul>", entry.Element(atom + "content")!.Value);
    }

    [Fact]
    public void An_empty_feed_is_updated_now()
    {
        var now = new DateTimeOffset(2026, 11, 26, 22, 0, 0, TimeSpan.Zero);
        var feed = XDocument.Parse(ChangelogAtom.Build([], new Uri("https://comms.example.com/public/changelog.atom"), now)).Root!;
        Assert.Equal("2026-11-26T22:00:00.000000Z", feed.Element((XNamespace)"http://www.w3.org/2005/Atom" + "updated")!.Value);
    }
}
