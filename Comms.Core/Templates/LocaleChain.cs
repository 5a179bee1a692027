using System.Globalization;

namespace Comms.Core.Templates;

/// <summary>
/// The locale fallback chain (SPEC S3): user locale → the event's locale → Accept-Language of the
/// triggering request (by quality) → tenant default → <c>en-US</c>. Each locale is followed by its
/// parent (<c>de-AT</c> → <c>de</c>) before the next source is tried.
/// </summary>
public static class LocaleChain
{
    public const string Fallback = "en-US";

    public static IReadOnlyList<string> Build(string? userLocale, string? eventLocale, string? acceptLanguage, string? tenantDefault)
    {
        var chain = new List<string>();
        Add(chain, userLocale);
        Add(chain, eventLocale);
        foreach (var language in ParseAcceptLanguage(acceptLanguage))
        {
            Add(chain, language);
        }

        Add(chain, tenantDefault);
        Add(chain, Fallback);
        return chain;
    }

    /// <summary>Languages of an Accept-Language header in order of quality; <c>*</c> and malformed entries are skipped.</summary>
    public static IEnumerable<string> ParseAcceptLanguage(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return [];
        }

        return header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select((part, index) =>
            {
                var pieces = part.Split(';', StringSplitOptions.TrimEntries);
                var quality = 1.0;
                foreach (var parameter in pieces.Skip(1))
                {
                    if (parameter.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                        && double.TryParse(parameter.AsSpan(2), NumberStyles.Float, CultureInfo.InvariantCulture, out var q))
                    {
                        quality = q;
                    }
                }

                return (Tag: pieces[0], Quality: quality, Index: index);
            })
            .Where(x => x.Tag != "*" && x.Quality > 0 && IsWellFormed(x.Tag))
            .OrderByDescending(x => x.Quality).ThenBy(x => x.Index)
            .Select(x => x.Tag);
    }

    /// <summary>Normalises a BCP 47 tag to its usual casing (<c>pt-br</c> → <c>pt-BR</c>), or null when malformed.</summary>
    public static string? Normalize(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag) || !IsWellFormed(tag))
        {
            return null;
        }

        var parts = tag.Trim().Split('-');
        parts[0] = parts[0].ToLowerInvariant();
        for (var i = 1; i < parts.Length; i++)
        {
            parts[i] = parts[i].Length switch
            {
                2 => parts[i].ToUpperInvariant(),
                4 => char.ToUpperInvariant(parts[i][0]) + parts[i][1..].ToLowerInvariant(),
                _ => parts[i].ToLowerInvariant(),
            };
        }

        return string.Join('-', parts);
    }

    public static bool IsWellFormed(string tag)
    {
        var parts = tag.Trim().Split('-');
        if (parts[0].Length is < 2 or > 3 || !parts[0].All(char.IsAsciiLetter))
        {
            return false;
        }

        return parts.Skip(1).All(p => p.Length is >= 1 and <= 8 && p.All(char.IsAsciiLetterOrDigit));
    }

    private static void Add(List<string> chain, string? tag)
    {
        var normalized = Normalize(tag);
        if (normalized is null)
        {
            return;
        }

        if (!chain.Contains(normalized, StringComparer.OrdinalIgnoreCase))
        {
            chain.Add(normalized);
        }

        var dash = normalized.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0 && !chain.Contains(normalized[..dash], StringComparer.OrdinalIgnoreCase))
        {
            chain.Add(normalized[..dash]);
        }
    }
}
