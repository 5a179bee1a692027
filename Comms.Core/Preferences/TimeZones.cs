namespace Comms.Core.Preferences;

/// <summary>IANA time zones (e.g. <c>Europe/Berlin</c>), as the host's time zone database knows them.</summary>
public static class TimeZones
{
    public const string Default = "UTC";

    public static bool TryFind(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64)
        {
            return false;
        }

        if (id is "UTC" or "Etc/UTC")
        {
            return true;
        }

        // Only IANA ids: Windows ids ("W. Europe Standard Time") would be converted silently on Linux.
        if (!id.Contains('/', StringComparison.Ordinal) && id != "GMT")
        {
            return false;
        }

        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }

    /// <summary>The zone for an id, falling back to UTC for an unknown or missing id.</summary>
    public static TimeZoneInfo FindOrUtc(string? id) => TryFind(id, out var zone) ? zone : TimeZoneInfo.Utc;
}
