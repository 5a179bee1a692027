using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Comms.Core.Preferences;

namespace Comms.Core.Contexts;

/// <summary>What one recipient's copy of a scheduled message fills its placeholders with.</summary>
public sealed record PlaceholderValues(string GuestName, string EventName, string EventDate, string Venue, string RsvpLink)
{
    public IReadOnlyDictionary<string, string> AsDictionary() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["guest_name"] = GuestName, ["event_name"] = EventName, ["event_date"] = EventDate, ["venue"] = Venue, ["rsvp_link"] = RsvpLink,
    };
}

/// <summary>
/// The per-recipient placeholders of scheduled messages (SPEC S7): <c>{{guest_name}}</c>, <c>{{event_name}}</c>,
/// <c>{{event_date}}</c> (in the recipient's time zone and locale), <c>{{venue}}</c>, <c>{{rsvp_link}}</c> (the context's
/// <c>rsvpLink</c> attribute). The host's text is not a template language: only these five names are replaced (with
/// or without spaces inside the braces); anything else stays as written.
/// </summary>
public static partial class Placeholders
{
    public static readonly IReadOnlyList<string> Names = ["guest_name", "event_name", "event_date", "venue", "rsvp_link"];

    [GeneratedRegex(@"\{\{\s*(guest_name|event_name|event_date|venue|rsvp_link)\s*\}\}")]
    private static partial Regex Pattern();

    public static string Render(string text, PlaceholderValues values)
    {
        var map = values.AsDictionary();
        return Pattern().Replace(text, m => map[m.Groups[1].Value]);
    }

    public static PlaceholderValues For(Context context, string? displayName, string? recipientName, string externalId, string? locale, string? timeZone) =>
        new(displayName ?? recipientName ?? externalId, context.Name, FormatDate(context.StartsAt, locale, timeZone ?? context.TimeZone),
            context.Venue ?? "", RsvpLink(context.Attributes));

    /// <summary>The date in the zone and the locale's own words, e.g. "Tuesday, December 24, 2030 7:00 PM (Europe/Berlin)".</summary>
    public static string FormatDate(DateTimeOffset? date, string? locale, string? timeZone)
    {
        if (date is not { } instant)
        {
            return "";
        }

        var zoneId = TimeZones.TryFind(timeZone, out var zone) ? timeZone! : TimeZones.Default;
        var culture = Culture(locale);
        // ICU puts narrow no-break spaces in some locales' times ("1:00\u202FPM"): plain spaces keep SMS in GSM-7 and text searchable.
        var text = TimeZoneInfo.ConvertTime(instant, zone).ToString("f", culture).Replace('\u202F', ' ').Replace('\u00A0', ' ');
        return $"{text} ({zoneId})";
    }

    private static CultureInfo Culture(string? locale)
    {
        try
        {
            return string.IsNullOrEmpty(locale) ? CultureInfo.GetCultureInfo("en-US") : CultureInfo.GetCultureInfo(locale);
        }
        catch (CultureNotFoundException)
        {
            return CultureInfo.GetCultureInfo("en-US");
        }
    }

    private static string RsvpLink(string attributes)
    {
        try
        {
            using var document = JsonDocument.Parse(attributes);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("rsvpLink", out var link)
                && link.ValueKind == JsonValueKind.String ? link.GetString()! : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
