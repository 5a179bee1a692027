using System.Text.Encodings.Web;
using System.Text.Json;
using Comms.Core.Messages;
using Fluid;

namespace Comms.Core.Templates;

/// <summary>Renders a template's channel content with a payload into what is sent and kept for audit.</summary>
public sealed class ContentRenderer(LiquidRenderer liquid)
{
    /// <param name="builtIns">The <see cref="TemplateBuiltIns"/> of this render (recipient, tenant, event), if any.</param>
    public async Task<RenderedContent> RenderAsync(
        string channel, TemplateContent content, JsonElement payload, IReadOnlyDictionary<string, object?>? builtIns = null)
    {
        var model = new Model(payload, builtIns);
        switch (channel)
        {
            case Channel.Email:
                return new RenderedContent
                {
                    Subject = SingleLine(await Plain(content.Subject, model)),
                    Html = await liquid.RenderAsync(content.Html, payload, HtmlEncoder.Default, builtIns),
                    Text = await Plain(content.Text, model),
                };
            case Channel.InApp:
                var body = await Plain(content.Body, model);
                return new RenderedContent
                {
                    Title = SingleLine(await Plain(content.Title, model)),
                    Body = body,
                    BodyHtml = MarkdownRenderer.ToSafeHtml(body),
                    Link = NullIfEmpty(await Plain(content.Link, model)),
                    Icon = NullIfEmpty(await Plain(content.Icon, model)),
                    ThreadKey = SingleLine(await Plain(content.ThreadKey, model)) is { Length: > 0 } thread ? thread : null,
                };
            case Channel.Push:
                return new RenderedContent
                {
                    Title = SingleLine(await Plain(content.Title, model)),
                    Body = await Plain(content.Body, model),
                    CollapseKey = NullIfEmpty(await Plain(content.CollapseKey, model)),
                    Link = NullIfEmpty(await Plain(content.Link, model)),
                    Data = await RenderData(content.Data, model),
                };
            case Channel.Sms:
                return new RenderedContent { Text = await Plain(content.Text ?? content.Body, model) };
            case Channel.Webhook:
                return new RenderedContent { Json = await liquid.RenderAsync(content.Json, payload, JavaScriptEncoder.UnsafeRelaxedJsonEscaping, builtIns) };
            default:
                throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel.");
        }
    }

    private ValueTask<string> Plain(string? source, Model model) => liquid.RenderAsync(source, model.Payload, NullEncoder.Default, model.BuiltIns);

    private async Task<Dictionary<string, string>?> RenderData(Dictionary<string, string>? data, Model model)
    {
        if (data is null || data.Count == 0)
        {
            return null;
        }

        var rendered = new Dictionary<string, string>(data.Count, StringComparer.Ordinal);
        foreach (var (key, value) in data)
        {
            rendered[key] = await Plain(value, model);
        }

        return rendered;
    }

    private readonly record struct Model(JsonElement Payload, IReadOnlyDictionary<string, object?>? BuiltIns);

    /// <summary>Every Liquid source of a content, for analysis (which variables it reads).</summary>
    public static IEnumerable<(string Field, string Source)> Sources(TemplateContent content) =>
        new (string Field, string? Source)[]
        {
            ("subject", content.Subject), ("html", content.Html), ("text", content.Text), ("title", content.Title),
            ("body", content.Body), ("collapseKey", content.CollapseKey), ("link", content.Link), ("icon", content.Icon),
            ("threadKey", content.ThreadKey), ("json", content.Json),
        }.Concat((content.Data ?? []).Select(d => (Field: $"data.{d.Key}", Source: (string?)d.Value)))
        .Where(s => !string.IsNullOrEmpty(s.Source)).Select(s => (s.Field, s.Source!));

    private static string SingleLine(string value) => value.ReplaceLineEndings(" ").Trim();

    private static string? NullIfEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
