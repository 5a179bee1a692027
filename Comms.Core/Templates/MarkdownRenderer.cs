using Ganss.Xss;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Comms.Core.Templates;

/// <summary>In-app bodies are Markdown; they are rendered to HTML and sanitized (no scripts, no raw HTML).</summary>
public static class MarkdownRenderer
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .Build();

    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    public static string ToSafeHtml(string markdown) =>
        Sanitizer.Sanitize(Markdown.ToHtml(markdown, Pipeline)).Trim();

    /// <summary>Every link and image URL of the Markdown (inline, reference and auto links), as the HTML would carry them.</summary>
    public static IEnumerable<string> LinksIn(string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var inline in document.Descendants<Inline>())
        {
            switch (inline)
            {
                case LinkInline { Url: { } url }:
                    yield return url;
                    break;
                case AutolinkInline { Url: { } auto }:
                    yield return auto;
                    break;
            }
        }
    }

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.Add("https");
        sanitizer.AllowedSchemes.Add("http");
        sanitizer.AllowedSchemes.Add("mailto");
        return sanitizer;
    }
}
