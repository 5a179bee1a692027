using Ganss.Xss;
using Markdig;

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
