using System.Text.Json;

namespace Comms.Core.Contexts;

/// <summary>
/// Creates or updates a context (<c>PUT /v1/contexts/{key}</c>). On creation <c>kind</c>, <c>name</c> and
/// <c>ownerExternalId</c> are required; on update fields left out keep their value.
/// </summary>
/// <param name="Kind">A slug: <c>event</c>, <c>game</c>, <c>project</c>...</param>
/// <param name="OwnerExternalId">The host: an existing recipient of the tenant.</param>
/// <param name="Date">When it takes place: ISO 8601 with an offset (<c>2026-12-24T19:00:00+01:00</c>), or a local
/// date-time without one (<c>2026-12-24T19:00</c>) read in <paramref name="TimeZone"/>.</param>
/// <param name="TimeZone">The IANA time zone of the date (default UTC); reminders are timed in it.</param>
/// <param name="Attributes">A JSON object of at most 16 KiB, replaced whole; <c>rsvpLink</c> becomes <c>{{rsvp_link}}</c>.</param>
public sealed record ContextRequest(
    string? Kind,
    string? Name,
    string? OwnerExternalId,
    string? Date,
    string? TimeZone,
    string? Venue,
    JsonElement? Attributes);

/// <summary>A member's status (<c>PUT /v1/contexts/{key}/members/{externalId}</c>), and optionally the name to show.</summary>
public sealed record MemberRequest(string? Status, string? DisplayName);

/// <summary>A lifecycle change: <c>paused</c>, <c>cancelled</c> or <c>resumed</c>.</summary>
public sealed record ContextStatusRequest(string? Status);

public sealed record MemberView(string ExternalId, string Status, string? DisplayName, DateTimeOffset JoinedAt, DateTimeOffset UpdatedAt)
{
    public static MemberView From(ContextMember member) =>
        new(member.ExternalId, member.Status, member.DisplayName, member.JoinedAt, member.UpdatedAt);
}

/// <summary>A context with its members (at most <see cref="ContextService.MaxListedMembers"/>) and the count per member status.</summary>
public sealed record ContextView(
    string Key,
    string Kind,
    string Name,
    string OwnerExternalId,
    DateTimeOffset? Date,
    string? TimeZone,
    string? Venue,
    JsonElement Attributes,
    string Status,
    IReadOnlyDictionary<string, int> MemberCounts,
    IReadOnlyList<MemberView> Members,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
