using System.ComponentModel.DataAnnotations;
using Comms.Core.Auth;

namespace Comms.Core.Operators;

/// <summary>
/// <c>Comms:Operators</c>: operator sign-in. Passwords need at least <see cref="MinPasswordLength"/> characters with a
/// digit, a lower-case and an upper-case letter and a symbol (Identity's character rules, with a longer minimum);
/// <see cref="MaxFailedAttempts"/> wrong passwords or codes in a row lock the account for <see cref="LockoutDuration"/>.
/// </summary>
public sealed class OperatorOptions : IValidatableObject
{
    public const string SectionName = "Comms:Operators";

    [Range(8, 128, ErrorMessage = "Comms:Operators:MinPasswordLength must be between 8 and 128.")]
    public int MinPasswordLength { get; set; } = 12;

    [Range(1, 100, ErrorMessage = "Comms:Operators:MaxFailedAttempts must be between 1 and 100.")]
    public int MaxFailedAttempts { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "Comms:Operators:LockoutDuration must be between 1 minute and 1 day.")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Lifetime of the bearer tokens of <c>POST /sys/auth/token</c>.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00", ErrorMessage = "Comms:Operators:TokenLifetime must be between 1 minute and 1 hour.")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Sensitive actions need a password entered within this window (fresh-auth, SPEC S1).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00", ErrorMessage = "Comms:Operators:FreshAuthWindow must be between 1 minute and 1 hour.")]
    public TimeSpan FreshAuthWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a replica trusts the security stamp it last read (so "sign out everywhere" reaches other replicas
    /// within this time; the replica that handled it forgets at once).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "Comms:Operators:StampCacheDuration must be between 0 and 5 minutes.")]
    public TimeSpan StampCacheDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Base64 of at least 32 random bytes that signs operator tokens (HS256). Optional: without it the key is derived
    /// (HKDF-SHA256) from <c>Comms:Auth:SecretEncryptionKey</c>, which every API replica already shares.
    /// </summary>
    public string? TokenSigningKey { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(TokenSigningKey) && !IsValidSigningKey(TokenSigningKey))
        {
            yield return new ValidationResult("Comms:Operators:TokenSigningKey must be base64 of at least 32 bytes (e.g. 'openssl rand -base64 32').",
                [nameof(TokenSigningKey)]);
        }
    }

    internal static bool IsValidSigningKey(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) && written >= 32;
    }

    /// <summary>The HS256 key of operator tokens: <see cref="TokenSigningKey"/>, or derived from the secret encryption key.</summary>
    internal byte[] SigningKeyBytes(UserTokenOptions auth) =>
        !string.IsNullOrEmpty(TokenSigningKey)
            ? Convert.FromBase64String(TokenSigningKey)
            : System.Security.Cryptography.HKDF.DeriveKey(System.Security.Cryptography.HashAlgorithmName.SHA256,
                Convert.FromBase64String(auth.SecretEncryptionKey), 32, salt: [], info: "comms-operator-tokens-v1"u8.ToArray());
}
