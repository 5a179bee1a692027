using System.ComponentModel.DataAnnotations;

namespace Comms.Core.Retention;

/// <summary>
/// <c>Comms:Retention</c>: how long delivery records, renders, decisions and inbox items are kept (SPEC S11), and how
/// the dispatcher's retention job keeps the monthly partitions of those tables.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "Comms:Retention";

    /// <summary>The longest retention a tenant may have (100 years).</summary>
    public const int MaxDays = 36500;

    /// <summary>Days a tenant's records are kept when the tenant has no retention of its own.</summary>
    [Range(1, MaxDays)]
    public int DefaultDays { get; set; } = 400;

    /// <summary>How often the retention job runs (on one dispatcher replica at a time).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many months of partitions ahead of the current one the job keeps created.</summary>
    [Range(1, 24)]
    public int MonthsAhead { get; set; } = 3;

    /// <summary>Rows per delete statement (each its own short transaction) when a tenant's rows expire before their partition.</summary>
    [Range(100, 100_000)]
    public int BatchSize { get; set; } = 5000;
}
