using System.Text.Encodings.Web;
using System.Text.Json;
using Comms.Core.Messages;
using Fluid;

namespace Comms.Core.Templates;

/// <summary>Renders a template's channel content with a payload into what is sent and kept for audit.</summary>
public sealed class ContentRenderer(LiquidRenderer liquid)
{
    public async Task<RenderedContent> RenderAsync(string channel, TemplateContent content, JsonElement payload)
    {
        switch (channel)
        {
            case Channel.Email:
                return new RenderedContent
                {
                    Subject = SingleLine(await Plain(content.Subject, payload)),
                    Html = await liquid.RenderAsync(content.Html, payload, HtmlEncoder.Default),
                    Text = await Plain(content.Text, payload),
                };
            case Channel.InApp:
                var body = await Plain(content.Body, payload);
                return new RenderedContent
                {
                    Title = SingleLine(await Plain(content.Title, payload)),
                    Body = body,
                    BodyHtml = MarkdownRenderer.ToSafeHtml(body),
                    Link = NullIfEmpty(await Plain(content.Link, payload)),
                    Icon = NullIfEmpty(await Plain(content.Icon, payload)),
                };
            case Channel.Push:
                return new RenderedContent
                {
                    Title = SingleLine(await Plain(content.Title, payload)),
                    Body = await Plain(content.Body, payload),
                    CollapseKey = NullIfEmpty(await Plain(content.CollapseKey, payload)),
                    Link = NullIfEmpty(await Plain(content.Link, payload)),
                    Data = await RenderData(content.Data, payload),
                };
            case Channel.Sms:
                return new RenderedContent { Text = await Plain(content.Text ?? content.Body, payload) };
            case Channel.Webhook:
                return new RenderedContent { Json = await liquid.RenderAsync(content.Json, payload, JavaScriptEncoder.UnsafeRelaxedJsonEscaping) };
            default:
                throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel.");
        }
    }

    private ValueTask<string> Plain(string? source, JsonElement payload) => liquid.RenderAsync(source, payload, NullEncoder.Default);

    private async Task<Dictionary<string, string>?> RenderData(Dictionary<string, string>? data, JsonElement payload)
    {
        if (data is null || data.Count == 0)
        {
            return null;
        }

        var rendered = new Dictionary<string, string>(data.Count, StringComparer.Ordinal);
        foreach (var (key, value) in data)
        {
            rendered[key] = await Plain(value, payload);
        }

        return rendered;
    }

    private static string SingleLine(string value) => value.ReplaceLineEndings(" ").Trim();

    private static string? NullIfEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
