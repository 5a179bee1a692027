using System.ComponentModel.DataAnnotations;

namespace Comms.Core.Unsubscribe;

/// <summary><c>Comms:Unsubscribe</c>: the key that signs one-click unsubscribe links, and how long a link works.</summary>
public sealed class UnsubscribeOptions : IValidatableObject
{
    public const string SectionName = "Comms:Unsubscribe";

    /// <summary>
    /// Base64 of at least 32 random bytes (<c>openssl rand -base64 32</c>): the HMAC-SHA256 key of the links. The
    /// dispatchers sign with it and the Web checks with it, so they need the same value; keep it in a secret store.
    /// </summary>
    [Required(ErrorMessage = "Comms:Unsubscribe:SigningKey is required (dispatcher and Web): base64 of at least 32 random bytes, e.g. 'openssl rand -base64 32'. It signs the one-click unsubscribe links of emails.")]
    public string SigningKey { get; set; } = "";

    /// <summary>Earlier values of <see cref="SigningKey"/>: links signed with them keep working while the key is rotated.</summary>
    public List<string> PreviousSigningKeys { get; set; } = [];

    /// <summary>How long a link works after the email was rendered (default 60 days).</summary>
    [Range(typeof(TimeSpan), "01:00:00", "366.00:00:00", ErrorMessage = "Comms:Unsubscribe:Lifetime must be between 1 hour and 366 days.")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(60);

    public byte[] Key => Decode(SigningKey) ?? throw new InvalidOperationException("Comms:Unsubscribe:SigningKey is not valid.");

    /// <summary>The current key, then the previous ones.</summary>
    public IReadOnlyList<byte[]> VerificationKeys => [Key, .. PreviousSigningKeys.Select(Decode).OfType<byte[]>()];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(SigningKey) && Decode(SigningKey) is null)
        {
            yield return new ValidationResult("Comms:Unsubscribe:SigningKey must be base64 of at least 32 bytes (e.g. 'openssl rand -base64 32').",
                [nameof(SigningKey)]);
        }

        for (var i = 0; i < PreviousSigningKeys.Count; i++)
        {
            if (Decode(PreviousSigningKeys[i]) is null)
            {
                yield return new ValidationResult($"Comms:Unsubscribe:PreviousSigningKeys:{i} must be base64 of at least 32 bytes.",
                    [nameof(PreviousSigningKeys)]);
            }
        }
    }

    private static byte[]? Decode(string? value)
    {
        var buffer = new byte[((value?.Length ?? 0) * 3 / 4) + 3];
        return value is not null && Convert.TryFromBase64String(value, buffer, out var written) && written >= 32 ? buffer[..written] : null;
    }
}

/// <summary><c>Comms:Links</c>: public addresses of this deployment that messages link to.</summary>
public sealed class PublicLinksOptions : IValidatableObject
{
    public const string SectionName = "Comms:Links";

    /// <summary>
    /// Where users reach Comms.Web, e.g. <c>https://comms.example.com</c> (the app host sets it for local runs).
    /// Unsubscribe links point there; RFC 8058 wants HTTPS, so plain http is accepted only for loopback hosts.
    /// </summary>
    [Required(ErrorMessage = "Comms:Links:PublicWebUrl is required (dispatcher): the https address at which users reach Comms.Web, e.g. https://comms.example.com. Unsubscribe links point there.")]
    public string PublicWebUrl { get; set; } = "";

    /// <summary>
    /// Where providers reach Comms.Api, e.g. <c>https://api.comms.example.com</c> (optional). When set, SMS carry a Twilio
    /// <c>StatusCallback</c> to <c>{PublicApiUrl}/webhooks/twilio/status</c>, and Twilio's webhook signatures are checked
    /// against this address (the one Twilio was given) rather than the one the request arrived at behind a proxy.
    /// </summary>
    public string? PublicApiUrl { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(PublicApiUrl)
            && (!Uri.TryCreate(PublicApiUrl, UriKind.Absolute, out var api) || api.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(api.Query)))
        {
            yield return new ValidationResult("Comms:Links:PublicApiUrl must be an absolute http(s) URL without query, e.g. https://api.comms.example.com.",
                [nameof(PublicApiUrl)]);
        }

        if (string.IsNullOrEmpty(PublicWebUrl))
        {
            yield break;
        }

        if (!Uri.TryCreate(PublicWebUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            yield return new ValidationResult("Comms:Links:PublicWebUrl must be an absolute https URL without query or fragment, e.g. https://comms.example.com.",
                [nameof(PublicWebUrl)]);
        }
        else if (uri.Scheme == "http" && !uri.IsLoopback)
        {
            yield return new ValidationResult("Comms:Links:PublicWebUrl must use https (RFC 8058 one-click unsubscribe needs an HTTPS link); http is accepted only for loopback addresses in local runs.",
                [nameof(PublicWebUrl)]);
        }
    }
}
