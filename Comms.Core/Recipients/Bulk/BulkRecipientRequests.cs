using System.Text.Json;
using System.Text.Json.Serialization;
using Comms.Core.Preferences;

namespace Comms.Core.Recipients.Bulk;

/// <summary><c>POST /v1/recipients/bulk</c>: up to <see cref="RecipientBulkValidator.MaxRecipients"/> recipients in one call.</summary>
public sealed record BulkRecipientsRequest(List<BulkRecipientItem?>? Recipients);

/// <summary>
/// One recipient of a bulk sync: the fields of <see cref="RecipientRequest"/> (with <c>externalId</c> required), plus push
/// devices to register and preference overrides to set, each with the rules of its single endpoint.
/// </summary>
/// <param name="Devices">Registered as <c>PUT /v1/recipients/{externalId}/devices</c> does: added, or moved from another recipient; devices not listed stay.</param>
/// <param name="Preferences">Merged as <c>PUT /v1/recipients/{externalId}/preferences</c> does: the rows given change, the others keep their value.</param>
public sealed record BulkRecipientItem(
    string? ExternalId,
    string? Name,
    string? Email,
    string? Phone,
    string? Locale,
    string? TimeZone,
    List<string>? Roles,
    JsonElement? Attributes,
    QuietHoursInput? QuietHours,
    List<DeviceRequest>? Devices,
    List<PreferenceChange>? Preferences)
{
    public RecipientRequest ToRequest() => new(ExternalId, Name, Email, Phone, Locale, TimeZone, Roles, Attributes, QuietHours);
}

/// <summary>What happened to one recipient of a bulk sync.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BulkOutcome>))]
public enum BulkOutcome
{
    /// <summary>A new recipient was stored.</summary>
    [JsonStringEnumMemberName("created")] Created,

    /// <summary>The recipient, its devices or its preferences changed.</summary>
    [JsonStringEnumMemberName("updated")] Updated,

    /// <summary>Everything given was already stored: nothing was written.</summary>
    [JsonStringEnumMemberName("unchanged")] Unchanged,

    /// <summary>The item is invalid (see its errors) and nothing of it was stored.</summary>
    [JsonStringEnumMemberName("invalid")] Invalid,
}

/// <summary>The outcome of the item at <paramref name="Index"/>.</summary>
/// <param name="Id">The recipient's id, unless the item is invalid.</param>
/// <param name="Errors">Only for invalid items: messages by JSON path, e.g. <c>recipients[3].email</c>.</param>
public sealed record BulkRecipientResult(
    int Index, string? ExternalId, BulkOutcome Outcome, Guid? Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Dictionary<string, string[]>? Errors);

/// <summary>One result per item in the order given, and the count of each outcome.</summary>
public sealed record BulkRecipientsResponse(IReadOnlyList<BulkRecipientResult> Items, int Created, int Updated, int Unchanged, int Invalid);
