using System.Globalization;
using Comms.Core.Recipients;

namespace Comms.Core.Preferences;

/// <summary>Quiet hours as the API takes them. A field left out keeps its current value.</summary>
/// <param name="Start">Local start of the window, <c>HH:mm</c>.</param>
/// <param name="End">Local end of the window, <c>HH:mm</c>; before <paramref name="Start"/> crosses midnight.</param>
/// <param name="Exceptions">Categories that may reach the user inside quiet hours (replaces the list).</param>
public sealed record QuietHoursInput(bool? Enabled, string? Start, string? End, List<string>? Exceptions);

/// <summary>Quiet hours as the API shows them: times as <c>HH:mm</c> in the user's time zone.</summary>
public sealed record QuietHoursView(bool Enabled, string Start, string End, IReadOnlyList<string> Exceptions)
{
    public static QuietHoursView From(Recipient recipient) => new(
        recipient.QuietHoursEnabled,
        QuietHoursSettings.Format(recipient.QuietHoursStart),
        QuietHoursSettings.Format(recipient.QuietHoursEnd),
        recipient.QuietHoursExceptions);
}

/// <summary>A validated change to a recipient's quiet hours; null members are left as they are.</summary>
public sealed record QuietHoursChange(bool? Enabled, TimeOnly? Start, TimeOnly? End, string[]? Exceptions)
{
    public void ApplyTo(Recipient recipient)
    {
        recipient.QuietHoursEnabled = Enabled ?? recipient.QuietHoursEnabled;
        recipient.QuietHoursStart = Start ?? recipient.QuietHoursStart;
        recipient.QuietHoursEnd = End ?? recipient.QuietHoursEnd;
        recipient.QuietHoursExceptions = Exceptions ?? recipient.QuietHoursExceptions;
    }
}

public static class QuietHoursSettings
{
    public const int MaxExceptions = 50;
    private static readonly string[] TimeFormats = ["HH:mm", "H:mm"];

    public static string Format(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>
    /// Checks quiet hours input; errors are reported through <paramref name="addError"/> under
    /// <paramref name="prefix"/> (e.g. <c>quietHours.</c>). Exception categories must exist.
    /// </summary>
    public static QuietHoursChange? Validate(
        QuietHoursInput? input, IReadOnlyDictionary<string, CategoryInfo> categories, string prefix, Action<string, string> addError)
    {
        if (input is null)
        {
            return null;
        }

        var valid = true;
        var start = ParseTime(input.Start, prefix + "start", addError, ref valid);
        var end = ParseTime(input.End, prefix + "end", addError, ref valid);
        if (start is not null && start == end)
        {
            addError(prefix + "end", "The end of quiet hours must differ from the start; to turn them off set enabled to false.");
            valid = false;
        }

        string[]? exceptions = null;
        if (input.Exceptions is { } list)
        {
            if (list.Count > MaxExceptions)
            {
                addError(prefix + "exceptions", $"At most {MaxExceptions} categories may be exceptions.");
                valid = false;
            }

            for (var i = 0; i < list.Count && i < MaxExceptions; i++)
            {
                if (list[i] is null || !categories.ContainsKey(list[i]))
                {
                    addError($"{prefix}exceptions[{i}]", $"Unknown category {RecipientFormats.Quote(list[i])}. Known categories: {string.Join(", ", categories.Keys.Order(StringComparer.Ordinal))}.");
                    valid = false;
                }
            }

            exceptions = [.. list.Distinct(StringComparer.Ordinal)];
        }

        return valid ? new QuietHoursChange(input.Enabled, start, end, exceptions) : null;
    }

    private static TimeOnly? ParseTime(string? value, string field, Action<string, string> addError, ref bool valid)
    {
        if (value is null)
        {
            return null;
        }

        if (TimeOnly.TryParseExact(value.Trim(), TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return new TimeOnly(time.Hour, time.Minute);
        }

        addError(field, $"{RecipientFormats.Quote(value)} is not a time of day; use 24-hour HH:mm, e.g. \"21:00\".");
        valid = false;
        return null;
    }
}
