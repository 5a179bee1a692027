using Comms.Core.Queueing;

namespace Comms.Core.Events;

/// <summary>
/// An event posted by a product backend. The <c>events</c> table doubles as the routing queue:
/// the dispatcher claims rows whose <see cref="DueAt"/> has come, with a lease.
/// </summary>
public sealed class EventRecord
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required string Name { get; set; }
    public required string Category { get; set; }
    public string Priority { get; set; } = EventPriority.Normal;
    public required string CauseRef { get; set; }
    public string? Actor { get; set; }

    /// <summary>The payload as a JSON object (jsonb).</summary>
    public string Payload { get; set; } = "{}";

    public string? Locale { get; set; }
    public string? AcceptLanguage { get; set; }

    /// <summary>Explicit recipients (external ids), when the event names them.</summary>
    public string[]? Recipients { get; set; }

    /// <summary>An audience selector as JSON (jsonb), when the event does not name recipients.</summary>
    public string? Audience { get; set; }

    public DateTimeOffset? SendAt { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public string Status { get; set; } = EventStatus.Pending;
    public int Attempts { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>Written at each claim; every later state change must present it (fencing), see <c>EventQueue</c>.</summary>
    public Guid? ClaimToken { get; set; }

    /// <summary>This event as claimed (for fenced writes); only meaningful on a claimed event.</summary>
    public LeaseClaim Claim => new(Id, ClaimToken ?? Guid.Empty);

    /// <summary>Where audience streaming resumes after a crash: the last routed recipient id.</summary>
    public Guid? RoutingCursor { get; set; }

    public string? Error { get; set; }
    public string? TraceParent { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RoutedAt { get; set; }

    /// <summary>When routing was given up (<see cref="EventStatus.Failed"/>); <see cref="Error"/> says why.</summary>
    public DateTimeOffset? FailedAt { get; set; }
}

public static class EventStatus
{
    public const string Pending = "pending";
    public const string Routed = "routed";
    public const string Failed = "failed";
}

public static class EventPriority
{
    public const string Low = "low";
    public const string Normal = "normal";
    public const string High = "high";
    public const string Critical = "critical";

    public static readonly IReadOnlyList<string> All = [Low, Normal, High, Critical];
}
