using System.Text.RegularExpressions;

namespace Comms.Core.ReleaseNotes;

/// <summary>The body of <c>POST /sys/release-notes</c> and <c>PUT /sys/release-notes/{id}</c> (a whole note).</summary>
public sealed record ReleaseNoteRequest(
    string? Version,
    string? Title,
    string? InternalBody,
    string? PublicBody,
    ReleaseNoteSectionsRequest? Sections,
    IReadOnlyList<string?>? PullRequests,
    string? Visibility,
    IReadOnlyList<string?>? Channels);

public sealed record ReleaseNoteSectionsRequest(IReadOnlyList<string?>? Added, IReadOnlyList<string?>? Changed, IReadOnlyList<string?>? Fixed);

/// <summary>Checks a release note request; each error is keyed by the JSON path of the field.</summary>
public static partial class ReleaseNoteRules
{
    public const int MaxVersionLength = 64;
    public const int MaxTitleLength = 200;
    public const int MaxBodyLength = 20_000;
    public const int MaxItems = 50;
    public const int MaxItemLength = 500;
    public const int MaxPullRequests = 20;
    public const int MaxUrlLength = 500;

    /// <summary><c>1.4</c>, <c>1.4.0</c>, <c>v2.0.0-rc.1</c>, <c>1.0.0+build.5</c>.</summary>
    [GeneratedRegex(@"^v?(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})(\.(0|[1-9][0-9]{0,8}))?(-[0-9A-Za-z]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z]+(\.[0-9A-Za-z-]+)*)?$")]
    private static partial Regex VersionPattern();

    public static Dictionary<string, string[]> Validate(ReleaseNoteRequest? request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request is null)
        {
            errors["$"] = ["A JSON body is required."];
            return errors;
        }

        if (string.IsNullOrWhiteSpace(request.Version))
        {
            errors["version"] = ["version is required."];
        }
        else if (request.Version.Length > MaxVersionLength || !VersionPattern().IsMatch(request.Version))
        {
            errors["version"] = ["version is a semantic version such as 1.4.0 or v2.0.0-rc.1."];
        }

        if (string.IsNullOrWhiteSpace(request.Title))
        {
            errors["title"] = ["title is required."];
        }
        else if (request.Title.Length > MaxTitleLength || HasControl(request.Title))
        {
            errors["title"] = [$"title is at most {MaxTitleLength} characters, without control characters."];
        }

        CheckBody(errors, "internalBody", request.InternalBody);
        CheckBody(errors, "publicBody", request.PublicBody);
        CheckItems(errors, "sections.added", request.Sections?.Added);
        CheckItems(errors, "sections.changed", request.Sections?.Changed);
        CheckItems(errors, "sections.fixed", request.Sections?.Fixed);
        CheckPullRequests(errors, request.PullRequests);

        if (request.Visibility is not null && !ReleaseNoteVisibility.All.Contains(request.Visibility))
        {
            errors["visibility"] = ["visibility is internal or public."];
        }

        if (request.Channels is { } channels)
        {
            for (var i = 0; i < channels.Count; i++)
            {
                if (channels[i] is not { } channel || !ReleaseNoteChannels.All.Contains(channel))
                {
                    errors[$"channels[{i}]"] = ["A channel is in_app or email."];
                }
            }

            if (channels.Distinct().Count() != channels.Count)
            {
                errors.TryAdd("channels", ["channels are listed once each."]);
            }
        }

        return errors;
    }

    /// <summary>The note the request describes (call after <see cref="Validate"/> found nothing).</summary>
    public static void Apply(ReleaseNoteRequest request, SysReleaseNote note)
    {
        note.Version = request.Version!;
        note.Title = request.Title!.Trim();
        note.InternalBody = request.InternalBody ?? "";
        note.PublicBody = request.PublicBody ?? "";
        note.Sections = new ReleaseNoteSections
        {
            Added = Items(request.Sections?.Added), Changed = Items(request.Sections?.Changed), Fixed = Items(request.Sections?.Fixed),
        };
        note.PullRequests = request.PullRequests?.Select(u => u!).ToList() ?? [];
        note.Visibility = request.Visibility ?? ReleaseNoteVisibility.Internal;
        note.Channels = request.Channels?.Select(c => c!).ToList() ?? [];
    }

    private static List<string> Items(IReadOnlyList<string?>? items) => items?.Select(i => i!.Trim()).ToList() ?? [];

    private static void CheckBody(Dictionary<string, string[]> errors, string field, string? body)
    {
        if (body is { Length: > MaxBodyLength } || (body is not null && body.Contains('\0', StringComparison.Ordinal)))
        {
            errors[field] = [$"{field} is Markdown of at most {MaxBodyLength} characters."];
        }
    }

    private static void CheckItems(Dictionary<string, string[]> errors, string field, IReadOnlyList<string?>? items)
    {
        if (items is null)
        {
            return;
        }

        if (items.Count > MaxItems)
        {
            errors[field] = [$"{field} has at most {MaxItems} items."];
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(items[i]) || items[i]!.Length > MaxItemLength || HasControl(items[i]!))
            {
                errors[$"{field}[{i}]"] = [$"An item is a non-empty line of at most {MaxItemLength} characters."];
            }
        }
    }

    private static void CheckPullRequests(Dictionary<string, string[]> errors, IReadOnlyList<string?>? urls)
    {
        if (urls is null)
        {
            return;
        }

        if (urls.Count > MaxPullRequests)
        {
            errors["pullRequests"] = [$"pullRequests has at most {MaxPullRequests} links."];
            return;
        }

        for (var i = 0; i < urls.Count; i++)
        {
            if (urls[i] is not { Length: > 0 and <= MaxUrlLength } url
                || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || string.IsNullOrEmpty(uri.Host)
                || !string.IsNullOrEmpty(uri.UserInfo) || HasControl(url))
            {
                errors[$"pullRequests[{i}]"] = ["A pull request link is an absolute https URL."];
            }
        }
    }

    private static bool HasControl(string value) => value.Any(char.IsControl);
}
