using AngleSharp.Html;
using AngleSharp.Html.Parser;
using AngleSharp.Html.Parser.Tokens;
using AngleSharp.Text;
using Comms.Core.Messages;

namespace Comms.Core.Templates;

/// <summary>Why a render may not be sent: the field (as in the template, e.g. <c>content.link</c>) and what is wrong.</summary>
public sealed record RenderProblem(string Field, string Message)
{
    public string Describe() => $"{Field}: {Message}";
}

/// <summary>
/// What each channel can carry, checked on the rendered text (a payload can make a short template long).
/// The in-app limits are the inbox's columns; push follows FCM/APNs (4 KiB payloads, 64-byte collapse
/// ids); SMS is Twilio's 1,600-character body; an email subject is one RFC 5322 line.
/// </summary>
public static class ChannelLimits
{
    public const int EmailSubject = 998;
    public const int EmailBody = 1_000_000;
    public const int InAppTitle = 500;
    public const int InAppBody = 100_000;
    public const int InAppThreadKey = 256;
    public const int PushTitle = 250;
    public const int PushBody = 2_000;
    public const int PushCollapseKey = 64;
    public const int PushDataValue = 1_000;
    public const int SmsText = 1_600;
    public const int WebhookJson = 512 * 1024;

    /// <summary>The rendered fields of a channel with their limits (URL fields are limited by <see cref="LinkPolicy"/>).</summary>
    public static IEnumerable<(string Field, string? Value, int Limit)> Fields(string channel, RenderedContent content) => channel switch
    {
        Channel.Email => [("subject", content.Subject, EmailSubject), ("html", content.Html, EmailBody), ("text", content.Text, EmailBody)],
        Channel.InApp => [("title", content.Title, InAppTitle), ("body", content.Body, InAppBody), ("threadKey", content.ThreadKey, InAppThreadKey)],
        Channel.Push =>
        [
            ("title", content.Title, PushTitle), ("body", content.Body, PushBody), ("collapseKey", content.CollapseKey, PushCollapseKey),
            .. (content.Data ?? []).Select(d => ($"data.{d.Key}", (string?)d.Value, PushDataValue)),
        ],
        Channel.Sms => [("text", content.Text, SmsText)],
        Channel.Webhook => [("json", content.Json, WebhookJson)],
        _ => [],
    };
}

/// <summary>
/// Checks a rendered message before anything is stored or sent: every field within its channel's limit,
/// every link (in-app and push <c>link</c>, in-app <c>icon</c>, push <c>data</c> entries named like a link,
/// links in the in-app Markdown body, and the URL attributes of email HTML) allowed by the tenant's
/// <see cref="LinkPolicy"/>, and no script in email HTML. A problem fails the render with <c>COMMS_RENDER_INVALID</c>.
/// </summary>
public static class RenderChecks
{
    /// <summary>HTML attributes whose value is a URL a client may follow or load.</summary>
    private static readonly HashSet<string> UrlAttributes = new(StringComparer.OrdinalIgnoreCase)
    {
        "href", "src", "action", "formaction", "background", "poster", "cite", "longdesc", "usemap", "dynsrc", "lowsrc", "data", "ping", "manifest", "codebase",
    };

    public static RenderProblem? Check(string channel, RenderedContent content, LinkPolicy links)
    {
        foreach (var (field, value, limit) in ChannelLimits.Fields(channel, content))
        {
            if (value is not null && value.Length > limit)
            {
                return new RenderProblem("content." + field, $"Renders to {value.Length} characters; {channel} allows at most {limit}.");
            }
        }

        return channel switch
        {
            Channel.InApp => Link("content.link", content.Link, links) ?? Link("content.icon", content.Icon, links) ?? MarkdownLinks(content.Body, links),
            Channel.Push => Link("content.link", content.Link, links) ?? DataLinks(content.Data, links),
            Channel.Email => Html("content.html", content.Html, links),
            _ => null,
        };
    }

    private static RenderProblem? Link(string field, string? url, LinkPolicy links) =>
        url is not null && links.Problem(url) is { } problem ? new RenderProblem(field, problem) : null;

    /// <summary>Push data entries the app opens as links: keys named like one (<c>url</c>, <c>deepLink</c>, <c>href</c>, <c>uri</c>…).</summary>
    private static RenderProblem? DataLinks(Dictionary<string, string>? data, LinkPolicy links)
    {
        foreach (var (key, value) in data ?? [])
        {
            var name = key.ToLowerInvariant();
            if ((name.EndsWith("url", StringComparison.Ordinal) || name.EndsWith("uri", StringComparison.Ordinal)
                 || name.EndsWith("link", StringComparison.Ordinal) || name.EndsWith("href", StringComparison.Ordinal))
                && Link($"content.data.{key}", value, links) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static RenderProblem? MarkdownLinks(string? markdown, LinkPolicy links)
    {
        if (string.IsNullOrEmpty(markdown))
        {
            return null;
        }

        foreach (var url in MarkdownRenderer.LinksIn(markdown))
        {
            if (links.Problem(url) is { } problem)
            {
                return new RenderProblem("content.body", "A link in the body is refused: " + problem);
            }
        }

        return null;
    }

    /// <summary>
    /// Email HTML: URL attributes (entities decoded by the tokenizer, as a mail client would), <c>srcset</c>, and no script.
    /// Read by AngleSharp's HTML tokenizer alone, without building a document (a third of the cost, per message): every
    /// start tag with its attributes (a repeated attribute dropped, as a document and a mail client drop it). With no tree
    /// builder the tokenizer never switches to the text-only states a document gives the inside of <c>&lt;title&gt;</c>,
    /// <c>&lt;textarea&gt;</c>, <c>&lt;style&gt;</c> or an SVG <c>CDATA</c> section, so a tag written there is checked too:
    /// stricter than a document, never looser.
    /// </summary>
    private static RenderProblem? Html(string field, string? html, LinkPolicy links)
    {
        if (string.IsNullOrEmpty(html))
        {
            return null;
        }

        using var source = new TextSource(html);
        var tokenizer = new HtmlTokenizer(source, HtmlEntityProvider.Resolver) { SkipDataText = true, SkipComments = true };
        for (var token = tokenizer.Get(); token.Type != HtmlTokenType.EndOfFile; token = tokenizer.Get())
        {
            if (token.Type != HtmlTokenType.StartTag)
            {
                continue;
            }

            var element = token.AsTag();
            // A document renames <image> to <img>; the checks below read attributes whatever the tag.
            var tag = element.Name;
            if (tag is "script" or "iframe" or "object" or "embed" or "frame" or "frameset" or "base")
            {
                return new RenderProblem(field, $"<{tag}> elements are not allowed in email HTML.");
            }

            if (tag == "meta" && element.GetAttribute("http-equiv") is { Length: > 0 } equiv && equiv.Equals("refresh", StringComparison.OrdinalIgnoreCase))
            {
                return new RenderProblem(field, "<meta http-equiv=\"refresh\"> is not allowed in email HTML.");
            }

            foreach (var attribute in element.Attributes)
            {
                // A prefixed name (SVG's xlink:href) as its local name, as a document would have it.
                var name = attribute.Name[(attribute.Name.IndexOf(':', StringComparison.Ordinal) + 1)..];
                if (name.StartsWith("on", StringComparison.OrdinalIgnoreCase))
                {
                    return new RenderProblem(field, $"Event handler attributes ('{name}' on <{tag}>) are not allowed in email HTML.");
                }

                var urls = name.Equals("srcset", StringComparison.OrdinalIgnoreCase)
                    ? attribute.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(candidate => candidate.Split(' ', 2)[0])
                    : UrlAttributes.Contains(name) ? [attribute.Value] : [];
                foreach (var url in urls)
                {
                    if (links.Problem(url) is { } problem)
                    {
                        return new RenderProblem(field, $"The {name} of <{tag}> is refused: {problem}");
                    }
                }
            }
        }

        return null;
    }
}
