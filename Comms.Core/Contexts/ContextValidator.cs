using System.Globalization;
using Comms.Core.Preferences;
using Comms.Core.Recipients;

namespace Comms.Core.Contexts;

/// <summary>A validated context change; null members keep their value.</summary>
public sealed record ContextChanges(string? Kind, string? Name, string? OwnerExternalId, DateTimeOffset? StartsAt, string? TimeZone, string? Venue, string? Attributes);

/// <summary>Checks context, member and status requests; errors are keyed by the JSON field they concern.</summary>
public static class ContextValidator
{
    private static readonly string[] LocalFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF"];

    public static bool IsKey(string? key) => RecipientFormats.IsExternalId(key);

    public static string KeyRule => $"A context key is 1-{ContextLimits.MaxKeyLength} printable characters without '/' or surrounding spaces.";

    public static Dictionary<string, string[]> Validate(ContextRequest? request, bool creating, out ContextChanges? changes)
    {
        changes = null;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Add(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field, []), message];
        if (request is null)
        {
            Add("body", "The request body must be a JSON object: { \"kind\": \"event\", \"name\": \"...\", \"ownerExternalId\": \"...\" }.");
            return errors;
        }

        if (request.Kind is null ? creating : !RecipientFormats.IsSlug(request.Kind))
        {
            Add("kind", "kind is required: a slug such as 'event', 'game' or 'project' ([a-z0-9][a-z0-9_-]{0,63}).");
        }

        var name = request.Name?.Trim();
        if (name is null ? creating : name.Length is 0 or > ContextLimits.MaxNameLength || RecipientFormats.HasControlCharacters(name))
        {
            Add("name", $"name is required: 1-{ContextLimits.MaxNameLength} characters without control characters.");
        }

        if (request.OwnerExternalId is null ? creating : !RecipientFormats.IsExternalId(request.OwnerExternalId))
        {
            Add("ownerExternalId", "ownerExternalId is required: the external id of the recipient who hosts the context.");
        }

        var zone = TimeZoneInfo.Utc;
        if (request.TimeZone is not null && !TimeZones.TryFind(request.TimeZone, out zone))
        {
            Add("timeZone", "The timeZone must be an IANA time zone such as 'Europe/Berlin' or 'UTC'.");
        }

        DateTimeOffset? startsAt = null;
        if (request.Date is not null)
        {
            startsAt = ParseDate(request.Date, zone);
            if (startsAt is null)
            {
                Add("date", "The date must be ISO 8601: '2026-12-24T19:00:00+01:00', or '2026-12-24T19:00' local to timeZone.");
            }
        }

        var venue = request.Venue?.Trim();
        if (venue is not null && (venue.Length > ContextLimits.MaxVenueLength || RecipientFormats.HasControlCharacters(venue)))
        {
            Add("venue", $"The venue must be at most {ContextLimits.MaxVenueLength} characters without control characters.");
        }

        var attributes = RecipientValidator.ValidateAttributes(request.Attributes, Add);
        if (errors.Count == 0)
        {
            changes = new ContextChanges(request.Kind, name, request.OwnerExternalId, startsAt,
                request.TimeZone ?? (startsAt is null ? null : TimeZones.Default), venue, attributes);
        }

        return errors;
    }

    public static Dictionary<string, string[]> ValidateMember(MemberRequest? request, string externalId)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!RecipientFormats.IsExternalId(externalId))
        {
            errors["externalId"] = [$"The externalId must be 1-{RecipientFormats.MaxExternalIdLength} printable characters without '/' or surrounding spaces."];
        }

        if (request is null)
        {
            errors["body"] = ["The request body must be a JSON object: { \"status\": \"attending\" }."];
            return errors;
        }

        if (!MemberStatus.IsKnown(request.Status))
        {
            errors["status"] = [$"status must be one of: {string.Join(", ", MemberStatus.All)}."];
        }

        var name = request.DisplayName?.Trim();
        if (name is not null && (name.Length is 0 or > ContextLimits.MaxNameLength || RecipientFormats.HasControlCharacters(name)))
        {
            errors["displayName"] = [$"The displayName must be 1-{ContextLimits.MaxNameLength} characters without control characters."];
        }

        return errors;
    }

    /// <summary>An instant with an offset, or a local date-time read in <paramref name="zone"/>.</summary>
    public static DateTimeOffset? ParseDate(string text, TimeZoneInfo zone)
    {
        if (text.Length > 40)
        {
            return null;
        }

        if (DateTime.TryParseExact(text, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return zone.IsInvalidTime(local) ? null : new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
        }

        return DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK"],
            CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant) && text[^1] is 'Z' or 'z' or (>= '0' and <= '9')
            && (text.EndsWith('Z') || text.EndsWith('z') || text.LastIndexOfAny(['+', '-']) > 10)
            ? instant.ToUniversalTime()
            : null;
    }
}
