using System.Globalization;

namespace Comms.Core.Templates;

/// <summary>
/// Which URLs a rendered message may carry: <c>https</c>, <c>http</c>, relative references, and the
/// schemes a tenant explicitly allows (e.g. <c>myapp</c> for deep links). Everything else — <c>javascript:</c>,
/// <c>data:</c>, <c>vbscript:</c>, protocol-relative <c>//host</c>, backslash tricks, control characters or
/// whitespace inside the scheme, percent- or entity-encoded schemes — is refused, so a payload can never
/// turn a link into script. The check reads a URL the way a browser would (WHATWG URL: surrounding
/// spaces stripped, <c>\</c> read as <c>/</c>) and refuses whatever is ambiguous.
/// </summary>
public sealed class LinkPolicy
{
    public const int MaxUrlLength = 2048;
    public const int MaxTenantSchemes = 20;

    /// <summary>Schemes that run script or embed content, which no tenant setting can allow.</summary>
    public static readonly IReadOnlySet<string> NeverAllowed = new HashSet<string>(StringComparer.Ordinal)
    {
        "javascript", "vbscript", "livescript", "data", "file", "blob", "filesystem", "about", "view-source", "jar", "mhtml",
    };

    private static readonly string[] WebSchemes = ["https", "http"];

    private readonly HashSet<string> _allowed;

    private LinkPolicy(IEnumerable<string> allowed) =>
        _allowed = new HashSet<string>(allowed.Select(s => s.ToLowerInvariant()).Where(s => !NeverAllowed.Contains(s)), StringComparer.Ordinal);

    /// <summary>Only <c>https</c>, <c>http</c> and relative references.</summary>
    public static LinkPolicy Default { get; } = new(WebSchemes);

    /// <summary>The web schemes plus a tenant's own (names without the colon, e.g. <c>myapp</c>).</summary>
    public static LinkPolicy For(IEnumerable<string>? tenantSchemes) =>
        tenantSchemes is null || !tenantSchemes.Any() ? Default : new LinkPolicy(WebSchemes.Concat(tenantSchemes));

    /// <summary>Checks a tenant's <c>allowedLinkSchemes</c> setting; returns the problem, or null when it can be stored.</summary>
    public static string? ValidateTenantSchemes(IReadOnlyList<string?> schemes)
    {
        if (schemes.Count > MaxTenantSchemes)
        {
            return $"At most {MaxTenantSchemes} link schemes may be allowed.";
        }

        foreach (var scheme in schemes)
        {
            if (scheme is null || scheme.Length is 0 or > 32 || !IsSchemeName(scheme) || scheme.Any(char.IsUpper))
            {
                return $"'{scheme}' is not a URL scheme name: give lower-case names without the colon, such as 'myapp'.";
            }

            if (NeverAllowed.Contains(scheme))
            {
                return $"The '{scheme}' scheme can run script or embed content and can never be allowed.";
            }
        }

        return null;
    }

    /// <summary>Why <paramref name="url"/> may not be rendered, or null when it is safe.</summary>
    public string? Problem(string url)
    {
        if (url.Length > MaxUrlLength)
        {
            return $"The URL is {url.Length} characters long; at most {MaxUrlLength} are allowed.";
        }

        // Browsers strip surrounding ASCII whitespace; a control character anywhere else is refused.
        var value = url.Trim(AsciiWhitespace);
        if (value.Length == 0)
        {
            return null;
        }

        if (value.Any(IsControl))
        {
            return "The URL contains control characters.";
        }

        // The part that decides what the URL is: scheme, authority and path, before any query or fragment.
        var end = value.IndexOfAny(['?', '#']);
        var head = end < 0 ? value : value[..end];
        if (head.Contains('\\', StringComparison.Ordinal))
        {
            return "The URL contains a backslash, which browsers read as '/'.";
        }

        // '&#106;avascript:' is a harmless relative URL until something HTML-decodes it: refuse it as ambiguous.
        var firstColon = value.IndexOf(':', StringComparison.Ordinal);
        if (firstColon > 0 && value[..firstColon] is var beforeColon && beforeColon.Contains('&', StringComparison.Ordinal)
            && beforeColon.IndexOfAny(['/', '?']) < 0)
        {
            return "The URL's scheme looks HTML-encoded (e.g. '&#106;'); give it decoded.";
        }

        if (head.Any(IsInvisible))
        {
            return "The URL contains whitespace or invisible characters before its query.";
        }

        var colon = head.IndexOf(':', StringComparison.Ordinal);
        var slash = head.IndexOf('/', StringComparison.Ordinal);
        if (colon < 0 || (slash >= 0 && slash < colon))
        {
            // A relative reference (path, query or fragment) must never name a host of its own.
            return head.StartsWith("//", StringComparison.Ordinal)
                ? "Protocol-relative URLs ('//host') are not allowed; give 'https://host'."
                : null;
        }

        var scheme = head[..colon];
        if (!IsSchemeName(scheme))
        {
            return $"'{Printable(scheme)}:' is not a plain URL scheme (encoded or hidden characters).";
        }

        scheme = scheme.ToLowerInvariant();
        if (!_allowed.Contains(scheme))
        {
            return $"The '{scheme}:' scheme is not allowed; use https, http, a relative path, or a scheme the tenant allows.";
        }

        var isWeb = scheme is "http" or "https";
        if (isWeb && (!head[(colon + 1)..].StartsWith("//", StringComparison.Ordinal)
                      || !Uri.TryCreate(value, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host)))
        {
            return $"'{Printable(value)}' is not a valid {scheme} URL with a host.";
        }

        return null;
    }

    private static readonly char[] AsciiWhitespace = [' ', '\t', '\n', '\f', '\r'];

    private static bool IsSchemeName(string value) =>
        value.Length > 0 && char.IsAsciiLetter(value[0]) && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.');

    private static bool IsControl(char c) => c < 0x20 || c is >= '\u007f' and <= '\u009f';

    /// <summary>Whitespace and characters that render as nothing (zero-width, BOM, bidi controls).</summary>
    private static bool IsInvisible(char c) =>
        char.IsWhiteSpace(c)
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static string Printable(string value)
    {
        var shown = new string(value.Select(c => IsControl(c) || IsInvisible(c) ? '?' : c).Take(60).ToArray());
        return value.Length > 60 ? shown + "…" : shown;
    }
}
