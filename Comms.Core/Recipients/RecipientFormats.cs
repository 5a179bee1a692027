using System.Net.Mail;
using System.Text.RegularExpressions;

namespace Comms.Core.Recipients;

/// <summary>The formats of a recipient's identifiers and addresses; pure, so the API and tests share them.</summary>
public static partial class RecipientFormats
{
    public const int MaxExternalIdLength = 200;
    public const int MaxEmailLength = 254;

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex SlugPattern();

    // Labels of letters/digits/hyphens (IDN letters allowed), a top-level domain of letters or an xn-- label.
    [GeneratedRegex(@"^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$", RegexOptions.IgnoreCase)]
    private static partial Regex DomainPattern();

    /// <summary>A lower-case slug such as a role or category name: <c>[a-z0-9][a-z0-9_-]{0,63}</c>.</summary>
    public static bool IsSlug(string? value) => value is not null && SlugPattern().IsMatch(value);

    /// <summary>
    /// An external id is 1-200 printable characters without <c>/</c> (it is a URL path segment) and
    /// without leading or trailing white space.
    /// </summary>
    public static bool IsExternalId(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxExternalIdLength && value.Trim().Length == value.Length
        && !value.Contains('/', StringComparison.Ordinal) && !HasControlCharacters(value);

    /// <summary>The address with its domain lower-cased, or null when it is not a plain <c>local@domain</c> address.</summary>
    public static string? NormalizeEmail(string? value)
    {
        var address = value?.Trim();
        if (string.IsNullOrEmpty(address) || address.Length > MaxEmailLength || HasControlCharacters(address))
        {
            return null;
        }

        var at = address.LastIndexOf('@');
        if (at is < 1 or > 64 || address.IndexOf('@', StringComparison.Ordinal) != at
            || !MailAddress.TryCreate(address, out var parsed) || parsed.Address != address || parsed.DisplayName.Length > 0)
        {
            return null;
        }

        var domain = address[(at + 1)..];
        return domain.Length <= 253 && DomainPattern().IsMatch(domain)
            ? address[..at] + "@" + domain.ToLowerInvariant()
            : null;
    }

    /// <summary>The number in E.164 (<c>+4915112345678</c>), ignoring spaces, dots, hyphens and parentheses; null when it is not one.</summary>
    public static string? NormalizePhone(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 32)
        {
            return null;
        }

        var compact = string.Concat(value.Where(c => c is not (' ' or '.' or '-' or '(' or ')')));
        return E164().IsMatch(compact) ? compact : null;
    }

    public static bool HasControlCharacters(string value) => value.Any(char.IsControl);

    /// <summary>A value quoted for an error message, shortened so a huge input is not echoed back whole.</summary>
    public static string Quote(string? value) => value switch
    {
        null => "null",
        { Length: > 64 } => $"'{value[..61]}...'",
        _ => $"'{value}'",
    };
}
