using Comms.Core.Preferences;

namespace Comms.Core.Contexts;

/// <summary>What a scheduled message is: a custom message of the host, or one of the four seeded reminders.</summary>
public static class ScheduledMessageKind
{
    public const string Custom = "custom";
    public const string Reminder7Days = "reminder_7d";
    public const string Reminder3Days = "reminder_3d";
    public const string Reminder1Day = "reminder_1d";
    public const string ReminderDayOf = "reminder_day_of";

    /// <summary>The label lists show (the slug never reaches a host).</summary>
    public static string Label(string kind) => kind switch
    {
        Reminder7Days => "7-day reminder",
        Reminder3Days => "3-day last call",
        Reminder1Day => "1-day reminder",
        ReminderDayOf => "Day-of reminder",
        _ => "Custom message",
    };

    public static bool IsReminder(string kind) => kind != Custom;
}

/// <summary>A reminder the seeding would create: its kind, when it fires, to whom, and its default copy.</summary>
public sealed record ReminderPlan(string Kind, DateTimeOffset SendAt, string Audience, string Subject, string Body);

/// <summary>
/// The four auto-reminders of a dated context (SPEC S7): 7 days, 3 days ("last call", to those who have not
/// answered) and 1 day before the start, and on the day itself at 09:00 in the context's time zone (or an hour
/// before the start when it starts before 10:00). Reminders whose time has already passed are left out.
/// </summary>
public static class Reminders
{
    public static readonly TimeOnly DayOfTime = new(9, 0);

    public static IReadOnlyList<ReminderPlan> Plan(DateTimeOffset startsAt, string? timeZone, DateTimeOffset now)
    {
        var zone = TimeZones.FindOrUtc(timeZone);
        var localStart = TimeZoneInfo.ConvertTime(startsAt, zone);
        var dayOf = localStart.TimeOfDay >= TimeSpan.FromHours(10)
            ? DayOfInstant(localStart, zone)
            : startsAt - TimeSpan.FromHours(1);
        ReminderPlan[] all =
        [
            new(ScheduledMessageKind.Reminder7Days, startsAt - TimeSpan.FromDays(7), MessageAudience.Everyone,
                "{{event_name}} is one week away",
                "Hi {{guest_name}},\n\n{{event_name}} is on {{event_date}} at {{venue}}. Let the host know if you can make it: {{rsvp_link}}"),
            new(ScheduledMessageKind.Reminder3Days, startsAt - TimeSpan.FromDays(3), MessageAudience.Pending,
                "Last call: will you join {{event_name}}?",
                "Hi {{guest_name}},\n\n{{event_name}} is on {{event_date}} and the host is still waiting for your answer: {{rsvp_link}}"),
            new(ScheduledMessageKind.Reminder1Day, startsAt - TimeSpan.FromDays(1), MessageAudience.Attending,
                "{{event_name}} is tomorrow",
                "Hi {{guest_name}},\n\nsee you tomorrow, {{event_date}}, at {{venue}}."),
            new(ScheduledMessageKind.ReminderDayOf, dayOf, MessageAudience.Attending,
                "{{event_name}} is today",
                "Hi {{guest_name}},\n\n{{event_name}} is today, {{event_date}}, at {{venue}}. See you there!"),
        ];
        return [.. all.Where(r => r.SendAt > now && r.SendAt <= startsAt)];
    }

    private static DateTimeOffset DayOfInstant(DateTimeOffset localStart, TimeZoneInfo zone)
    {
        var local = localStart.Date + DayOfTime.ToTimeSpan();
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
