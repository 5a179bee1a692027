namespace Comms.Core.Contexts;

/// <summary>
/// A grouping of the host product (an event with guests, a game, a project — SPEC S7/S8), mirrored by the host
/// under its own key. It has an owner (the host: a recipient of the tenant), members with a status, optionally a
/// date in a time zone and a venue, and a lifecycle status (<see cref="ContextStatus"/>).
/// </summary>
public sealed class Context
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }

    /// <summary>The host product's key for the context (unique per tenant; a URL path segment).</summary>
    public required string Key { get; set; }

    /// <summary>What sort of grouping it is, a slug such as <c>event</c>, <c>game</c>, <c>project</c>.</summary>
    public required string Kind { get; set; }

    public required string Name { get; set; }

    /// <summary>The owner's (host's) external id, the <c>sub</c> of their user token.</summary>
    public required string OwnerExternalId { get; set; }

    /// <summary>The owner as a recipient of the tenant.</summary>
    public Guid OwnerRecipientId { get; set; }

    /// <summary>When the context takes place (an event's start), if it has a date.</summary>
    public DateTimeOffset? StartsAt { get; set; }

    /// <summary>The IANA time zone the date is local to (reminder times are computed in it); null when there is no date.</summary>
    public string? TimeZone { get; set; }

    public string? Venue { get; set; }

    /// <summary>Custom attributes as a JSON object (jsonb); the host's <c>rsvpLink</c> is read from here for <c>{{rsvp_link}}</c>.</summary>
    public string Attributes { get; set; } = "{}";

    public string Status { get; set; } = ContextStatus.Active;

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A context's lifecycle: <c>active</c>, <c>paused</c> (nothing scheduled fires), <c>cancelled</c> (for good).</summary>
public static class ContextStatus
{
    public const string Active = "active";
    public const string Paused = "paused";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Active, Paused, Cancelled];
}

/// <summary>A member of a context: a recipient with an RSVP or membership status and a display-name snapshot.</summary>
public sealed class ContextMember
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public Guid ContextId { get; set; }
    public Guid RecipientId { get; set; }

    /// <summary>The recipient's external id (kept with the row so lists need no join).</summary>
    public required string ExternalId { get; set; }

    public string Status { get; set; } = MemberStatus.Active;

    /// <summary>The member's name when they joined (or as the host last gave it); survives a rename of the recipient.</summary>
    public string? DisplayName { get; set; }

    public DateTimeOffset JoinedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// A member's status: an RSVP (<c>attending</c>, <c>pending</c>, <c>declined</c>, <c>maybe</c>) or a membership
/// (<c>active</c>, <c>removed</c>, <c>blocked</c>).
/// </summary>
public static class MemberStatus
{
    public const string Attending = "attending";
    public const string Pending = "pending";
    public const string Declined = "declined";
    public const string Maybe = "maybe";
    public const string Active = "active";
    public const string Removed = "removed";
    public const string Blocked = "blocked";

    public static readonly IReadOnlyList<string> All = [Attending, Pending, Declined, Maybe, Active, Removed, Blocked];

    /// <summary>Statuses of members who are no longer part of the context (they receive no scheduled messages).</summary>
    public static readonly IReadOnlyList<string> Gone = [Removed, Blocked];

    public static bool IsKnown(string? status) => status is not null && All.Contains(status);
}
