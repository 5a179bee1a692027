namespace Comms.Core.Preferences;

/// <summary>A user's quiet window in their local time; <see cref="Start"/> after <see cref="End"/> crosses midnight.</summary>
public sealed record QuietHoursWindow(TimeOnly Start, TimeOnly End, TimeZoneInfo Zone)
{
    public static readonly TimeSpan DeliveryMargin = TimeSpan.FromMinutes(1);

    /// <summary>
    /// When a non-critical message due at <paramref name="dueAt"/> may go out: null when that instant is
    /// outside the window, else the end of the window plus one minute. Correct across midnight and DST
    /// changes: the end is resolved on the local calendar day it falls on, an end that falls into a
    /// spring-forward gap moves forward by the gap, and an ambiguous end (fall-back) is its first occurrence.
    /// </summary>
    public DateTimeOffset? DeferUntil(DateTimeOffset dueAt)
    {
        if (Start == End)
        {
            return null;
        }

        var local = TimeZoneInfo.ConvertTime(dueAt, Zone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        var crossesMidnight = Start > End;
        var inside = crossesMidnight ? time >= Start || time < End : time >= Start && time < End;
        if (!inside)
        {
            return null;
        }

        var endDate = DateOnly.FromDateTime(local.DateTime);
        if (crossesMidnight && time >= Start)
        {
            endDate = endDate.AddDays(1);
        }

        return ToInstant(endDate.ToDateTime(End)) + DeliveryMargin;
    }

    private DateTimeOffset ToInstant(DateTime localEnd)
    {
        var unspecified = DateTime.SpecifyKind(localEnd, DateTimeKind.Unspecified);
        if (Zone.IsInvalidTime(unspecified))
        {
            // The clock jumps over this time: the window ends when the clock jumps.
            var probe = unspecified;
            while (Zone.IsInvalidTime(probe))
            {
                probe = probe.AddMinutes(1);
            }

            return new DateTimeOffset(probe, Zone.GetUtcOffset(probe));
        }

        if (Zone.IsAmbiguousTime(unspecified))
        {
            // The clock shows this time twice: the window ends the first time (the larger, summer offset).
            var offset = Zone.GetAmbiguousTimeOffsets(unspecified).Max();
            return new DateTimeOffset(unspecified, offset);
        }

        return new DateTimeOffset(unspecified, Zone.GetUtcOffset(unspecified));
    }
}
