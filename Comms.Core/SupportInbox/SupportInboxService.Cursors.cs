using System.Globalization;
using System.Text;

namespace Comms.Core.SupportInbox;

/// <summary>The inbox list's cursor: the last thread's activity time and id, base64 of <c>{ticks}:{id}</c>.</summary>
public sealed partial class SupportInboxService
{
    private static string WriteCursor(DateTimeOffset at, Guid id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{at.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{id:N}"));

    /// <summary>The position a cursor names; null when there is none. Throws <see cref="FormatException"/> for a cursor that is not one of ours.</summary>
    public static (DateTimeOffset At, Guid Id)? ReadCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(cursor)).Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks <= DateTimeOffset.MaxValue.UtcTicks && Guid.TryParseExact(parts[1], "N", out var id))
            {
                return (new DateTimeOffset(ticks, TimeSpan.Zero), id);
            }
        }
        catch (FormatException)
        {
            // Below.
        }

        throw new FormatException("Not a cursor of this list.");
    }
}
