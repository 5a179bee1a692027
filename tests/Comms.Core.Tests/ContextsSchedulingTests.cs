using Comms.Core.Contexts;

namespace Comms.Core.Tests;

/// <summary>The pure parts of SPEC S7: reminder times, placeholders, and the dates a context accepts.</summary>
public sealed class ContextsSchedulingTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_far_event_gets_four_reminders_the_day_of_one_at_nine_local()
    {
        // 19:00 in Berlin (UTC+1 in December) is 18:00 UTC.
        var start = new DateTimeOffset(2030, 12, 24, 18, 0, 0, TimeSpan.Zero);

        var plan = Reminders.Plan(start, "Europe/Berlin", Now);

        Assert.Equal([ScheduledMessageKind.Reminder7Days, ScheduledMessageKind.Reminder3Days, ScheduledMessageKind.Reminder1Day, ScheduledMessageKind.ReminderDayOf],
            plan.Select(p => p.Kind));
        Assert.Equal(start.AddDays(-7), plan[0].SendAt);
        Assert.Equal(start.AddDays(-3), plan[1].SendAt);
        Assert.Equal(MessageAudience.Pending, plan[1].Audience);
        Assert.Equal(start.AddDays(-1), plan[2].SendAt);
        Assert.Equal(new DateTimeOffset(2030, 12, 24, 8, 0, 0, TimeSpan.Zero), plan[3].SendAt); // 09:00 Berlin
        Assert.Equal(["7-day reminder", "3-day last call", "1-day reminder", "Day-of reminder"], plan.Select(p => ScheduledMessageKind.Label(p.Kind)));
    }

    [Fact]
    public void Reminders_already_past_are_skipped_and_an_early_start_gets_its_day_of_reminder_an_hour_before()
    {
        var start = Now.AddDays(2).Date.AddHours(7); // 07:00 UTC, two days on

        var plan = Reminders.Plan(new DateTimeOffset(start, TimeSpan.Zero), "UTC", Now);

        Assert.Equal([ScheduledMessageKind.Reminder1Day, ScheduledMessageKind.ReminderDayOf], plan.Select(p => p.Kind));
        Assert.Equal(new DateTimeOffset(start.AddHours(-1), TimeSpan.Zero), plan[1].SendAt);
    }

    [Fact]
    public void Placeholders_are_filled_per_recipient_and_nothing_else_is_interpreted()
    {
        var context = new Context
        {
            TenantId = "t", Key = "k", Kind = "event", Name = "Gala", OwnerExternalId = "host", Venue = "Opera",
            StartsAt = new DateTimeOffset(2030, 12, 24, 18, 0, 0, TimeSpan.Zero), TimeZone = "Europe/Berlin",
            Attributes = """{"rsvpLink":"https://example.test/rsvp"}""",
        };

        var us = Placeholders.For(context, null, "Ann", "ann", "en-US", "America/New_York");
        var de = Placeholders.For(context, "Dani", "Daniel", "dan", "de-DE", null);
        var text = Placeholders.Render("{{ guest_name }}: {{event_name}} {{event_date}} @ {{venue}} {{rsvp_link}} {{ other }} {% raw %}", us);

        Assert.Equal("Ann: Gala Tuesday, December 24, 2030 1:00 PM (America/New_York) @ Opera https://example.test/rsvp {{ other }} {% raw %}", text);
        Assert.Equal("Dani", de.GuestName);
        Assert.Equal("Dienstag, 24. Dezember 2030 19:00 (Europe/Berlin)", de.EventDate);
    }

    [Theory]
    [InlineData("2030-12-24T19:00", "Europe/Berlin", "2030-12-24T18:00:00Z")]
    [InlineData("2030-12-24T19:00:00+02:00", "Europe/Berlin", "2030-12-24T17:00:00Z")]
    [InlineData("2030-12-24T19:00:00Z", "UTC", "2030-12-24T19:00:00Z")]
    [InlineData("tomorrow", "UTC", null)]
    [InlineData("2030-13-01T10:00", "UTC", null)]
    public void A_context_date_is_an_instant_with_an_offset_or_local_to_its_time_zone(string text, string zone, string? expected)
    {
        var parsed = ContextValidator.ParseDate(text, TimeZoneInfo.FindSystemTimeZoneById(zone));

        Assert.Equal(expected is null ? null : DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), parsed);
    }
}
