using System.ComponentModel.DataAnnotations;

namespace Comms.Core.Auth;

/// <summary>
/// <c>Comms:Auth</c>: how end-user tokens are checked. Each tenant signs its users' JWTs with its own keys
/// (<c>/v1/signing-keys</c>); these settings are the platform-wide rules around them.
/// </summary>
public sealed class UserTokenOptions : IValidatableObject
{
    public const string SectionName = "Comms:Auth";

    /// <summary>The <c>iss</c> a token must carry unless its signing key names another.</summary>
    [Required, StringLength(256, MinimumLength = 1)]
    public string Issuer { get; set; } = UserTokens.DefaultIssuer;

    /// <summary>The <c>aud</c> a token must carry unless its signing key names another.</summary>
    [Required, StringLength(256, MinimumLength = 1)]
    public string Audience { get; set; } = UserTokens.DefaultAudience;

    /// <summary>Longest accepted <c>exp - iat</c> (or <c>exp - now</c> without <c>iat</c>): a ten-year token is refused.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "Comms:Auth:MaxTokenLifetime must be between 1 minute and 30 days.")]
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Tolerance for clocks that disagree, on <c>exp</c>, <c>nbf</c> and <c>iat</c>; at most a minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Comms:Auth:ClockSkew must be between 0 and 60 seconds.")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Base64 of 32 random bytes: the key that encrypts tenants' HS256 secrets at rest (AES-256-GCM). It lives
    /// in configuration (a secret store in production), not in the database, so a database dump or backup
    /// alone does not reveal any secret. Generate one with <c>openssl rand -base64 32</c>.
    /// </summary>
    [Required(ErrorMessage = "Comms:Auth:SecretEncryptionKey is required: base64 of 32 random bytes (e.g. 'openssl rand -base64 32').")]
    public string SecretEncryptionKey { get; set; } = "";

    /// <summary>Earlier values of <see cref="SecretEncryptionKey"/>, still accepted for decryption while secrets are rotated.</summary>
    public List<string> PreviousSecretEncryptionKeys { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(SecretEncryptionKey) && !SigningSecretProtector.IsValidKey(SecretEncryptionKey))
        {
            yield return new ValidationResult("Comms:Auth:SecretEncryptionKey must be base64 of exactly 32 bytes (e.g. 'openssl rand -base64 32').",
                [nameof(SecretEncryptionKey)]);
        }

        for (var i = 0; i < PreviousSecretEncryptionKeys.Count; i++)
        {
            if (!SigningSecretProtector.IsValidKey(PreviousSecretEncryptionKeys[i]))
            {
                yield return new ValidationResult($"Comms:Auth:PreviousSecretEncryptionKeys:{i} must be base64 of exactly 32 bytes.",
                    [nameof(PreviousSecretEncryptionKeys)]);
            }
        }
    }
}
