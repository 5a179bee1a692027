using System.Text.Json;
using Comms.Core.Preferences;

namespace Comms.Core.Recipients;

/// <summary>
/// Creates or updates a recipient. Fields left out (or null) keep their current value; an empty string
/// clears a text field, an empty list clears the roles.
/// </summary>
/// <param name="ExternalId">Required in <c>POST /v1/recipients</c>; in a PUT it may repeat the id of the URL.</param>
/// <param name="Phone">E.164, e.g. <c>+4915112345678</c>.</param>
/// <param name="Locale">A BCP 47 tag, e.g. <c>de-AT</c>.</param>
/// <param name="TimeZone">An IANA time zone, e.g. <c>Europe/Berlin</c>.</param>
/// <param name="Attributes">Custom attributes: a JSON object of at most 16 KiB, replaced whole.</param>
public sealed record RecipientRequest(
    string? ExternalId,
    string? Name,
    string? Email,
    string? Phone,
    string? Locale,
    string? TimeZone,
    List<string>? Roles,
    JsonElement? Attributes,
    QuietHoursInput? QuietHours);

/// <summary>A push device to register for a recipient.</summary>
/// <param name="Provider"><c>fcm</c>, <c>apns</c>, <c>expo</c> or <c>webpush</c>.</param>
/// <param name="Token">The provider's device token (for web push, the subscription).</param>
public sealed record DeviceRequest(string? Provider, string? Token);

/// <summary>A validated, normalised recipient change. Null members are left as they are; "" clears.</summary>
public sealed record RecipientChanges(
    string ExternalId,
    string? Name,
    string? Email,
    string? Phone,
    string? Locale,
    string? TimeZone,
    string[]? Roles,
    string? Attributes,
    QuietHoursChange? QuietHours)
{
    public void ApplyTo(Recipient recipient)
    {
        recipient.Name = Pick(Name, recipient.Name);
        recipient.Email = Pick(Email, recipient.Email);
        recipient.Phone = Pick(Phone, recipient.Phone);
        recipient.Locale = Pick(Locale, recipient.Locale);
        recipient.TimeZone = Pick(TimeZone, recipient.TimeZone);
        recipient.Roles = Roles ?? recipient.Roles;
        recipient.Attributes = Attributes ?? recipient.Attributes;
        QuietHours?.ApplyTo(recipient);
    }

    private static string? Pick(string? change, string? current) => change switch
    {
        null => current,
        "" => null,
        _ => change,
    };
}

/// <summary>A recipient as the API shows it.</summary>
public sealed record RecipientView(
    Guid Id,
    string ExternalId,
    string? Name,
    string? Email,
    string? Phone,
    string? Locale,
    string? TimeZone,
    IReadOnlyList<string> Roles,
    JsonElement Attributes,
    QuietHoursView QuietHours,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static RecipientView From(Recipient r)
    {
        using var attributes = JsonDocument.Parse(string.IsNullOrEmpty(r.Attributes) ? "{}" : r.Attributes);
        return new(r.Id, r.ExternalId, r.Name, r.Email, r.Phone, r.Locale, r.TimeZone, r.Roles,
            attributes.RootElement.Clone(), QuietHoursView.From(r), r.CreatedAt, r.UpdatedAt);
    }
}

/// <summary>A page of recipients in id order; pass <see cref="Next"/> as <c>after</c> for the next page.</summary>
public sealed record RecipientPage(IReadOnlyList<RecipientView> Items, string? Next);

public sealed record DeviceView(Guid Id, string Provider, string Token, DateTimeOffset CreatedAt)
{
    public static DeviceView From(Device d) => new(d.Id, d.Provider, d.Token, d.CreatedAt);
}
