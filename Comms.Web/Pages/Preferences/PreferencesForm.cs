using Comms.Core.Preferences;

namespace Comms.Web.Pages.Preferences;

/// <summary>
/// The preference form as posted. Checkboxes only post when checked, so the form also lists the cells it showed
/// (<see cref="Shown"/>): a shown cell that is not in <see cref="On"/> was unchecked. Only cells whose value differs
/// from what is stored are sent, so defaults stay defaults.
/// </summary>
public sealed class PreferencesForm
{
    /// <summary>The checked cells, as <c>category:channel</c>.</summary>
    public List<string> On { get; set; } = [];

    /// <summary>Every changeable cell the form showed, as <c>category:channel</c>.</summary>
    public List<string> Shown { get; set; } = [];

    public bool QuietEnabled { get; set; }
    public string? QuietStart { get; set; }
    public string? QuietEnd { get; set; }
    public List<string> QuietExceptions { get; set; } = [];
    public string? TimeZone { get; set; }

    /// <summary>The channels on which direct messages are muted.</summary>
    public List<string> DmMuted { get; set; } = [];

    public static string Key(string category, string channel) => $"{category}:{channel}";

    public bool IsOn(string category, string channel) => On.Contains(Key(category, channel));

    public static PreferencesForm From(PreferenceMatrix matrix) => new()
    {
        On = [.. matrix.Categories.SelectMany(r => r.Channels.Where(c => c.Enabled).Select(c => Key(r.Category, c.Channel)))],
        Shown = [.. matrix.Categories.SelectMany(r => r.Channels.Where(c => !c.Locked).Select(c => Key(r.Category, c.Channel)))],
        QuietEnabled = matrix.QuietHours.Enabled,
        QuietStart = matrix.QuietHours.Start,
        QuietEnd = matrix.QuietHours.End,
        QuietExceptions = [.. matrix.QuietHours.Exceptions],
        TimeZone = matrix.TimeZone,
        DmMuted = [.. matrix.DmMuted.Where(d => d.Value).Select(d => d.Key)],
    };

    /// <summary>The update for <see cref="PreferenceService"/>: the cells that changed, quiet hours, time zone and muted channels.</summary>
    public PreferenceUpdate ToUpdate(PreferenceMatrix stored)
    {
        var changes = new List<PreferenceChange>();
        foreach (var shown in Shown.Distinct(StringComparer.Ordinal))
        {
            var parts = shown.Split(':', 2);
            var cell = parts.Length == 2
                ? stored.Categories.FirstOrDefault(r => r.Category == parts[0])?.Channels.FirstOrDefault(c => c.Channel == parts[1])
                : null;
            var on = On.Contains(shown);
            if (cell is not null && cell.Enabled != on)
            {
                changes.Add(new PreferenceChange(parts[0], parts[1], on));
            }
        }

        return new PreferenceUpdate(
            changes,
            new QuietHoursInput(QuietEnabled, QuietStart ?? "", QuietEnd ?? "", [.. QuietExceptions]),
            TimeZone ?? "",
            PreferenceCenter.Channels.ToDictionary(channel => channel, channel => (bool?)DmMuted.Contains(channel), StringComparer.Ordinal));
    }
}

/// <summary>How the page names categories, channels and time zones.</summary>
public static class PreferenceLabels
{
    private static readonly Lazy<IReadOnlyList<string>> Zones = new(() =>
    [
        TimeZones.Default,
        .. TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id)
            .Where(id => id != TimeZones.Default && id.Contains('/', StringComparison.Ordinal) && TimeZones.TryFind(id, out _))
            .Order(StringComparer.Ordinal),
    ]);

    public static string Channel(string channel) => channel switch
    {
        Core.Messages.Channel.Email => "email",
        Core.Messages.Channel.Push => "push notification",
        Core.Messages.Channel.Sms => "text message (SMS)",
        Core.Messages.Channel.InApp => "in-app notification",
        _ => channel,
    };

    public static string ChannelHeading(string channel) => channel switch
    {
        Core.Messages.Channel.Email => "Email",
        Core.Messages.Channel.Push => "Push",
        Core.Messages.Channel.Sms => "SMS",
        Core.Messages.Channel.InApp => "In-app",
        _ => channel,
    };

    /// <summary>A category's name as a heading: <c>booking</c> → "Booking", <c>order-updates</c> → "Order updates".</summary>
    public static string Category(string name) =>
        name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name[1..].Replace('-', ' ').Replace('_', ' ');

    /// <summary>Every IANA zone of the host, UTC first; the user's own zone is kept even if the host lacks it.</summary>
    public static IReadOnlyList<string> TimeZoneIds(string? current) =>
        current is null || Zones.Value.Contains(current) ? Zones.Value : [current, .. Zones.Value];
}
