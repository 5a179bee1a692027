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
