using Comms.Core.Preferences;

namespace Comms.Core.Tests;

public sealed class QuietHoursTests
{
    private static readonly TimeOnly Nine = new(21, 0);
    private static readonly TimeOnly Eight = new(8, 0);

    private static QuietHoursWindow Window(string zone, TimeOnly? start = null, TimeOnly? end = null) =>
        new(start ?? Nine, end ?? Eight, TimeZoneInfo.FindSystemTimeZoneById(zone));

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2026-06-10T20:59:00+02:00", null)]
    [InlineData("2026-06-10T21:00:00+02:00", "2026-06-11T08:01:00+02:00")]
    [InlineData("2026-06-10T23:30:00+02:00", "2026-06-11T08:01:00+02:00")]
    [InlineData("2026-06-11T00:15:00+02:00", "2026-06-11T08:01:00+02:00")]
    [InlineData("2026-06-11T07:59:59+02:00", "2026-06-11T08:01:00+02:00")]
    [InlineData("2026-06-11T08:00:00+02:00", null)]
    [InlineData("2026-06-11T12:00:00+02:00", null)]
    public void A_window_across_midnight_defers_to_its_end_plus_a_minute(string due, string? expected)
    {
        var until = Window("Europe/Berlin").DeferUntil(At(due));

        Assert.Equal(expected is null ? null : At(expected), until);
    }

    [Fact]
    public void The_users_time_zone_decides_not_UTC()
    {
        // 03:00 UTC is 22:00 the evening before in New York (EST, UTC-5): inside the window.
        var until = Window("America/New_York").DeferUntil(At("2026-01-15T03:00:00Z"));

        Assert.Equal(At("2026-01-15T08:01:00-05:00"), until);
        Assert.Null(Window("Asia/Tokyo").DeferUntil(At("2026-01-15T03:00:00Z"))); // 12:00 in Tokyo
    }

    [Fact]
    public void A_window_within_one_day_works_too()
    {
        var window = Window("UTC", new TimeOnly(12, 0), new TimeOnly(14, 0));

        Assert.Equal(At("2026-03-01T14:01:00Z"), window.DeferUntil(At("2026-03-01T13:00:00Z")));
        Assert.Null(window.DeferUntil(At("2026-03-01T11:59:00Z")));
        Assert.Null(window.DeferUntil(At("2026-03-01T22:00:00Z")));
    }

    [Fact]
    public void Spring_forward_night_ends_at_local_eight_with_the_new_offset()
    {
        // Europe/Berlin switches to CEST (UTC+2) at 02:00 on 29 March 2026: the night is an hour shorter.
        var until = Window("Europe/Berlin").DeferUntil(At("2026-03-28T22:00:00+01:00"));

        Assert.Equal(At("2026-03-29T08:01:00+02:00"), until);
        Assert.Equal(At("2026-03-29T06:01:00Z"), until!.Value.ToUniversalTime());
    }

    [Fact]
    public void Fall_back_night_ends_at_local_eight_with_the_old_offset()
    {
        // America/New_York falls back to EST (UTC-5) at 02:00 on 1 November 2026: the night is an hour longer.
        var until = Window("America/New_York").DeferUntil(At("2026-10-31T23:00:00-04:00"));

        Assert.Equal(At("2026-11-01T08:01:00-05:00"), until);
        Assert.Equal(At("2026-11-01T13:01:00Z"), until!.Value.ToUniversalTime());
    }

    [Fact]
    public void An_end_inside_the_spring_forward_gap_moves_to_when_the_clock_jumps()
    {
        // 02:30 does not exist in Berlin on 29 March 2026; the window ends at 03:00 CEST (01:00 UTC).
        var window = Window("Europe/Berlin", new TimeOnly(22, 0), new TimeOnly(2, 30));

        Assert.Equal(At("2026-03-29T01:01:00Z"), window.DeferUntil(At("2026-03-28T23:00:00+01:00"))!.Value.ToUniversalTime());
    }

    [Fact]
    public void An_ambiguous_end_on_the_fall_back_night_is_its_first_occurrence()
    {
        // 01:30 happens twice in New York on 1 November 2026; the window ends the first time (EDT, UTC-4).
        var window = Window("America/New_York", new TimeOnly(22, 0), new TimeOnly(1, 30));

        Assert.Equal(At("2026-11-01T05:31:00Z"), window.DeferUntil(At("2026-10-31T23:00:00-04:00"))!.Value.ToUniversalTime());
    }

    [Fact]
    public void Equal_start_and_end_means_no_window()
    {
        Assert.Null(Window("UTC", new TimeOnly(8, 0), new TimeOnly(8, 0)).DeferUntil(At("2026-01-01T08:00:00Z")));
    }

    [Theory]
    [InlineData("Europe/Berlin", true)]
    [InlineData("America/Argentina/Buenos_Aires", true)]
    [InlineData("UTC", true)]
    [InlineData("Mars/Olympus_Mons", false)]
    [InlineData("W. Europe Standard Time", false)]
    [InlineData("", false)]
    public void Only_IANA_time_zones_are_accepted(string id, bool valid)
    {
        Assert.Equal(valid, TimeZones.TryFind(id, out _));
    }
}
