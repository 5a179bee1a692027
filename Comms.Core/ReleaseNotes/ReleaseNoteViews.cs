namespace Comms.Core.ReleaseNotes;

/// <summary>A release note as operators see it (every field).</summary>
public sealed record ReleaseNoteView(
    Guid Id, string Version, string Title, string InternalBody, string PublicBody, ReleaseNoteSections Sections,
    IReadOnlyList<string> PullRequests, string Visibility, IReadOnlyList<string> Channels, string Status,
    DateTimeOffset? PublishedAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ReleaseNoteView From(SysReleaseNote n) => new(
        n.Id, n.Version, n.Title, n.InternalBody, n.PublicBody, n.Sections, n.PullRequests, n.Visibility, n.Channels, n.Status,
        n.PublishedAt, n.CreatedAt, n.UpdatedAt);
}

/// <summary>
/// A release note as the public sees it: only the customer-safe fields (no internal body, no pull requests, no
/// channels). <see cref="BodyHtml"/> is the public body rendered from Markdown and sanitized.
/// </summary>
public sealed record PublicReleaseNote(
    Guid Id, string Version, string Title, string Body, string BodyHtml, ReleaseNoteSections Sections, DateTimeOffset PublishedAt);

/// <summary>A page of the public changelog, newest first; <see cref="Next"/> is the cursor of the next page (null at the end).</summary>
public sealed record ChangelogPage(IReadOnlyList<PublicReleaseNote> Items, string? Next);
