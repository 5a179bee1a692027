namespace Comms.Core.ReleaseNotes;

/// <summary>
/// A platform release note (SPEC issue 12): written by operators under <c>/sys/release-notes</c>, published to the
/// public changelog (JSON, HTML page, Atom feed) when its visibility is <see cref="ReleaseNoteVisibility.Public"/>.
/// Only <see cref="Version"/>, <see cref="Title"/>, <see cref="PublicBody"/>, <see cref="Sections"/> and
/// <see cref="PublishedAt"/> ever leave the platform; the internal body and the PR links stay with operators.
/// </summary>
public sealed class SysReleaseNote
{
    public Guid Id { get; set; }

    /// <summary>The release, semver-ish (<c>1.4.0</c>, <c>v2.0.0-rc.1</c>); unique.</summary>
    public required string Version { get; set; }

    public required string Title { get; set; }

    /// <summary>Markdown for operators only (never public).</summary>
    public string InternalBody { get; set; } = "";

    /// <summary>Customer-safe Markdown: what the public changelog shows.</summary>
    public string PublicBody { get; set; } = "";

    /// <summary>Added / changed / fixed items (jsonb).</summary>
    public ReleaseNoteSections Sections { get; set; } = new();

    /// <summary>Linked pull requests (https URLs; never public).</summary>
    public List<string> PullRequests { get; set; } = [];

    public string Visibility { get; set; } = ReleaseNoteVisibility.Internal;

    /// <summary>
    /// Where publishing should announce the note (<c>in_app</c>, <c>email</c>). Stored only: announcing goes through
    /// broadcasts, which do not exist yet.
    /// </summary>
    public List<string> Channels { get; set; } = [];

    public string Status { get; set; } = ReleaseNoteStatus.Draft;

    public DateTimeOffset? PublishedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The items of a release, by kind.</summary>
public sealed record ReleaseNoteSections
{
    public IReadOnlyList<string> Added { get; init; } = [];
    public IReadOnlyList<string> Changed { get; init; } = [];
    public IReadOnlyList<string> Fixed { get; init; } = [];
}

public static class ReleaseNoteVisibility
{
    public const string Internal = "internal";
    public const string Public = "public";
    public static readonly IReadOnlyList<string> All = [Internal, Public];
}

public static class ReleaseNoteStatus
{
    public const string Draft = "draft";
    public const string Published = "published";
}

public static class ReleaseNoteChannels
{
    public const string InApp = "in_app";
    public const string Email = "email";
    public static readonly IReadOnlyList<string> All = [InApp, Email];
}
