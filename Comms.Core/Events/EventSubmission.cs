using System.Text.Json;

namespace Comms.Core.Events;

/// <summary>The body of <c>POST /v1/events</c> (and each item of the bulk variant), as received.</summary>
public sealed record EventSubmission
{
    /// <summary>The event name, e.g. <c>booking.confirmed</c>; it selects the tenant's routing rule.</summary>
    public string? Name { get; init; }

    /// <summary>External ids of the recipients. Give either this or <see cref="Audience"/>.</summary>
    public List<string>? Recipients { get; init; }

    /// <summary>An audience selector: <c>{"all":true}</c>, <c>{"roles":["admin"]}</c> or <c>{"attributes":{"plan":"pro"}}</c>.</summary>
    public JsonElement? Audience { get; init; }

    public string? Actor { get; init; }

    /// <summary>What caused the event in the host product (e.g. <c>booking:123</c>); part of the idempotency key.</summary>
    public string? CauseRef { get; init; }

    /// <summary>Template variables, as a JSON object.</summary>
    public JsonElement? Payload { get; init; }

    /// <summary>The notification category; defaults to the routing rule's.</summary>
    public string? Category { get; init; }

    /// <summary><c>low</c>, <c>normal</c> (default), <c>high</c> or <c>critical</c>.</summary>
    public string? Priority { get; init; }

    /// <summary>A BCP 47 locale for rendering, used when the user has none.</summary>
    public string? Locale { get; init; }

    /// <summary>Deliver no earlier than this instant.</summary>
    public DateTimeOffset? SendAt { get; init; }
}

/// <summary>Limits on intake (<c>Comms:Intake</c>).</summary>
public sealed class IntakeOptions
{
    public const string SectionName = "Comms:Intake";

    [System.ComponentModel.DataAnnotations.Range(1024, 16 * 1024 * 1024)]
    public int MaxPayloadBytes { get; set; } = 64 * 1024;

    [System.ComponentModel.DataAnnotations.Range(1, 10_000)]
    public int MaxBulkEvents { get; set; } = 1000;

    [System.ComponentModel.DataAnnotations.Range(1, 100_000)]
    public int MaxRecipientsPerEvent { get; set; } = 1000;

    /// <summary>How far ahead <c>sendAt</c> may be.</summary>
    public TimeSpan MaxSchedule { get; set; } = TimeSpan.FromDays(366);
}
