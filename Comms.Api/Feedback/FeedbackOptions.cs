using System.ComponentModel.DataAnnotations;
using Comms.Core.Feedback;

namespace Comms.Api.Feedback;

/// <summary><c>Comms:Providers:SendGrid</c> as the Event Webhook endpoint reads it.</summary>
public sealed class SendGridEventWebhookOptions : IValidatableObject
{
    public const string SectionName = "Comms:Providers:SendGrid";

    /// <summary>
    /// The Event Webhook's verification key as SendGrid shows it (Settings → Mail Settings → Event Webhook → Signature
    /// Verification; or <c>GET /v3/user/webhooks/event/settings/signed</c> → <c>public_key</c>): base64 DER of an ECDSA
    /// P-256 public key. Unset: every event post is refused (401), since none can be verified.
    /// </summary>
    public string? EventWebhookPublicKey { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(EventWebhookPublicKey))
        {
            yield break;
        }

        using var key = SendGridEventSignature.ImportPublicKey(EventWebhookPublicKey);
        if (key is null)
        {
            yield return new ValidationResult(
                "Comms:Providers:SendGrid:EventWebhookPublicKey must be the Event Webhook's verification key as SendGrid shows it: base64 DER of an ECDSA P-256 public key (it starts with MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE).",
                [nameof(EventWebhookPublicKey)]);
        }
    }
}

/// <summary><c>Comms:Providers:Twilio</c> as the status callback endpoint reads it.</summary>
public sealed class TwilioCallbackOptions
{
    public const string SectionName = "Comms:Providers:Twilio";

    /// <summary>The account's auth token: the key of <c>X-Twilio-Signature</c>. Unset: every callback is refused (401).</summary>
    public string? AuthToken { get; set; }

    /// <summary>
    /// The public base address of the API as Twilio calls it (<c>Comms:Links:PublicApiUrl</c>, e.g. https://api.comms.example.com),
    /// when a proxy in front changes the scheme, host or port the API sees; the signature covers the full URL Twilio called.
    /// </summary>
    public string? PublicApiUrl { get; set; }
}
