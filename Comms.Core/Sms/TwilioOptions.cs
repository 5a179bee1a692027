using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Comms.Core.Sms;

/// <summary>
/// <c>Comms:Providers:Twilio</c>: SMS through Twilio's Messages API. The <c>sms</c> channel exists when
/// <see cref="AccountSid"/> is set; then <see cref="AuthToken"/> and a sender (<see cref="From"/> or
/// <see cref="MessagingServiceSid"/>) are required. The API uses <see cref="AuthToken"/> to check the
/// <c>X-Twilio-Signature</c> of Twilio's webhooks. The token is never logged nor echoed in an error.
/// </summary>
public sealed partial class TwilioOptions : IValidatableObject
{
    public const string SectionName = "Comms:Providers:Twilio";

    /// <summary>The provider's name in metrics, configuration and limits.</summary>
    public const string ProviderName = "twilio";

    /// <summary>The account (<c>AC</c> + 32 hex digits): HTTP basic user name and part of the request path.</summary>
    public string? AccountSid { get; set; }

    /// <summary>The account's auth token: HTTP basic password and the key of webhook signatures. A secret.</summary>
    public string? AuthToken { get; set; }

    /// <summary>The sender: an E.164 number (<c>+15017122661</c>) or an alphanumeric sender id.</summary>
    public string? From { get; set; }

    /// <summary>A Messaging Service (<c>MG</c> + 32 hex digits) that picks the sender; sent instead of, or with, <see cref="From"/>.</summary>
    public string? MessagingServiceSid { get; set; }

    [Required]
    [Url]
    public string BaseUrl { get; set; } = "https://api.twilio.com";

    /// <summary>The account's sending rate (requests a second), enforced across dispatcher replicas.</summary>
    [Range(1, 10_000)]
    public int RequestsPerSecond { get; set; } = 100;

    /// <summary>The answer to HELP / INFO (carriers require one).</summary>
    [Required]
    [StringLength(1_600, MinimumLength = 1)]
    public string HelpText { get; set; } = "Notifications by SMS. Reply STOP to unsubscribe, START to subscribe again. Msg & data rates may apply.";

    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => !string.IsNullOrWhiteSpace(AccountSid);

    [GeneratedRegex("^AC[0-9a-fA-F]{32}$")]
    private static partial Regex AccountSidPattern();

    [GeneratedRegex("^MG[0-9a-fA-F]{32}$")]
    private static partial Regex MessagingServicePattern();

    [GeneratedRegex(@"^(\+[1-9][0-9]{6,14}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$")]
    private static partial Regex SenderPattern();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (!AccountSidPattern().IsMatch(AccountSid!))
        {
            yield return new ValidationResult($"{SectionName}:AccountSid must be 'AC' followed by 32 hex digits.", [nameof(AccountSid)]);
        }

        if (string.IsNullOrWhiteSpace(AuthToken))
        {
            yield return new ValidationResult($"{SectionName}:AuthToken is required when {SectionName}:AccountSid is set.", [nameof(AuthToken)]);
        }

        if (string.IsNullOrWhiteSpace(From) && string.IsNullOrWhiteSpace(MessagingServiceSid))
        {
            yield return new ValidationResult(
                $"{SectionName}:From (an E.164 number or alphanumeric sender id) or {SectionName}:MessagingServiceSid is required when {SectionName}:AccountSid is set.",
                [nameof(From)]);
        }

        if (!string.IsNullOrWhiteSpace(From) && !SenderPattern().IsMatch(From))
        {
            yield return new ValidationResult($"{SectionName}:From must be an E.164 number such as +15017122661 or an alphanumeric sender id of up to 11 characters.",
                [nameof(From)]);
        }

        if (!string.IsNullOrWhiteSpace(MessagingServiceSid) && !MessagingServicePattern().IsMatch(MessagingServiceSid))
        {
            yield return new ValidationResult($"{SectionName}:MessagingServiceSid must be 'MG' followed by 32 hex digits.", [nameof(MessagingServiceSid)]);
        }
    }
}
