using System.Net;
using AngleSharp.Html.Parser;

namespace Comms.Core.Links;

/// <summary>
/// Rewrites the <c>href</c> of the <c>&lt;a&gt;</c> and <c>&lt;area&gt;</c> elements of an HTML document, leaving every
/// other byte as it was. The document is parsed by a real HTML5 parser (AngleSharp, as a mail client would read it:
/// entities decoded, comments and scripts are not links); each link's attribute is then replaced at its place in the
/// source, so nothing else of the template's markup (conditional comments, whitespace, quoting) changes.
/// </summary>
public static class HtmlLinks
{
    private static readonly HtmlParser Parser = new(new HtmlParserOptions { IsKeepingSourceReferences = true });

    /// <param name="map">Given a link's URL (entities decoded), its replacement, or null to leave it alone; called in source order.</param>
    public static string Rewrite(string html, Func<string, string?> map)
    {
        if (string.IsNullOrEmpty(html) || !html.Contains("href", StringComparison.OrdinalIgnoreCase))
        {
            return html;
        }

        using var document = Parser.ParseDocument(html);
        var links = document.QuerySelectorAll("a[href], area[href]")
            .Where(e => e.SourceReference is not null)
            .Select(e => (Start: e.SourceReference!.Position.Position, Href: e.GetAttribute("href")!))
            .OrderBy(l => l.Start)
            .ToList();
        var replacements = new List<(int Start, int Length, string Value)>();
        foreach (var (start, href) in links)
        {
            // AngleSharp's positions count from 1 (the '<' of the start tag).
            var at = start - 1;
            if (at < 0 || at >= html.Length || html[at] != '<' || HrefValueSpan(html, at) is not { } span
                || WebUtility.HtmlDecode(Unquote(html.Substring(span.Start, span.Length))) != href)
            {
                continue; // the source does not read as the parser read it: leave this link alone rather than guess
            }

            if (map(href) is { } replacement)
            {
                replacements.Add((span.Start, span.Length, "\"" + WebUtility.HtmlEncode(replacement) + "\""));
            }
        }

        if (replacements.Count == 0)
        {
            return html;
        }

        var result = new System.Text.StringBuilder(html.Length + (replacements.Count * 100));
        var copied = 0;
        foreach (var (spanStart, length, value) in replacements)
        {
            result.Append(html, copied, spanStart - copied).Append(value);
            copied = spanStart + length;
        }

        return result.Append(html, copied, html.Length - copied).ToString();
    }

    /// <summary>
    /// Where the value of the first <c>href</c> attribute of the start tag at <paramref name="tagStart"/> is (with its quotes),
    /// read by the HTML tokenizer's rules for attributes; null when it has none or the tag is cut off.
    /// </summary>
    internal static (int Start, int Length)? HrefValueSpan(string html, int tagStart)
    {
        var i = tagStart + 1;
        while (i < html.Length && !IsSpace(html[i]) && html[i] is not ('/' or '>'))
        {
            i++;
        }

        while (true)
        {
            while (i < html.Length && (IsSpace(html[i]) || html[i] == '/'))
            {
                i++;
            }

            if (i >= html.Length || html[i] == '>')
            {
                return null;
            }

            var nameStart = i++;
            while (i < html.Length && !IsSpace(html[i]) && html[i] is not ('/' or '>' or '='))
            {
                i++;
            }

            var name = html.AsSpan(nameStart, i - nameStart);
            while (i < html.Length && IsSpace(html[i]))
            {
                i++;
            }

            if (i >= html.Length || html[i] != '=')
            {
                continue; // an attribute without a value
            }

            i++;
            while (i < html.Length && IsSpace(html[i]))
            {
                i++;
            }

            if (i >= html.Length)
            {
                return null;
            }

            var valueStart = i;
            if (html[i] is '"' or '\'')
            {
                var close = html.IndexOf(html[i], i + 1);
                if (close < 0)
                {
                    return null;
                }

                i = close + 1;
            }
            else
            {
                while (i < html.Length && !IsSpace(html[i]) && html[i] != '>')
                {
                    i++;
                }
            }

            if (name.Equals("href", StringComparison.OrdinalIgnoreCase))
            {
                return (valueStart, i - valueStart);
            }
        }
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] is '"' or '\'' && value[^1] == value[0] ? value[1..^1] : value;

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\f' or '\r';
}
