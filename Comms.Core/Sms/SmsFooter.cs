using Comms.Core.Messages;
using Comms.Core.Templates;

namespace Comms.Core.Sms;

/// <summary>
/// The opt-out footer of every SMS ("Reply STOP to unsubscribe, HELP for help."), in the message's language
/// (en, fr, de, es, nl; any other falls back to English). The keywords stay STOP and HELP in every language:
/// they are the ones the inbound webhook and the carriers understand. It is appended on a line of its own,
/// unless the text already carries a footer of any language. A text that would go over
/// <see cref="ChannelLimits.SmsText"/> with it gets the short footer ("STOP to opt out"); a text that does not fit
/// even then is cut at a word boundary with "…" so the footer always goes out; a text over the limit by itself is
/// left alone for <see cref="RenderChecks"/> to refuse (<c>COMMS_RENDER_INVALID</c>).
/// </summary>
public static class SmsFooter
{
    private const string Ellipsis = "…";

    private static readonly Dictionary<string, (string Full, string Short)> Footers = new(StringComparer.Ordinal)
    {
        ["en"] = ("Reply STOP to unsubscribe, HELP for help.", "STOP to opt out"),
        ["fr"] = ("Répondez STOP pour vous désabonner, HELP pour de l'aide.", "STOP pour se désabonner"),
        ["de"] = ("Antworten Sie STOP zum Abmelden, HELP für Hilfe.", "STOP zum Abmelden"),
        ["es"] = ("Responda STOP para darse de baja, HELP para obtener ayuda.", "STOP para darse de baja"),
        ["nl"] = ("Antwoord STOP om af te melden, HELP voor hulp.", "STOP om af te melden"),
    };

    /// <summary>The languages with a footer of their own.</summary>
    public static IReadOnlyCollection<string> Languages => Footers.Keys;

    /// <summary>The full footer for a locale (<c>de-AT</c> → German), English when the language has none.</summary>
    public static string For(string? locale) => FootersOf(locale).Full;

    /// <summary>The rendered SMS with its footer (see the class summary).</summary>
    public static RenderedContent Apply(RenderedContent content, string? locale) =>
        content.Text is { } text ? content with { Text = Apply(text, locale) } : content;

    public static string Apply(string text, string? locale)
    {
        if (HasFooter(text))
        {
            return text;
        }

        var (full, brief) = FootersOf(locale);
        var body = text.TrimEnd();
        var separator = body.Length == 0 ? "" : "\n";
        if (body.Length + separator.Length + full.Length <= ChannelLimits.SmsText)
        {
            return body + separator + full;
        }

        if (body.Length + separator.Length + brief.Length <= ChannelLimits.SmsText)
        {
            return body + separator + brief;
        }

        if (text.Length > ChannelLimits.SmsText)
        {
            return text;
        }

        var room = ChannelLimits.SmsText - brief.Length - separator.Length - Ellipsis.Length;
        var cut = body.LastIndexOfAny([' ', '\n', '\t'], room);
        var kept = (cut > room / 2 ? body[..cut] : body[..room]).TrimEnd();
        return kept + Ellipsis + separator + brief;
    }

    /// <summary>Whether the text already ends its way with one of the footers (full or short, any language).</summary>
    public static bool HasFooter(string text) =>
        Footers.Values.Any(f => text.Contains(f.Full, StringComparison.OrdinalIgnoreCase) || text.Contains(f.Short, StringComparison.OrdinalIgnoreCase));

    private static (string Full, string Short) FootersOf(string? locale)
    {
        var language = locale?.Split('-', '_')[0].ToLowerInvariant();
        return language is not null && Footers.TryGetValue(language, out var footer) ? footer : Footers["en"];
    }
}
