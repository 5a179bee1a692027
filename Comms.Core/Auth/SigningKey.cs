namespace Comms.Core.Auth;

/// <summary>
/// A key with which a tenant's host product signs its users' session tokens (SPEC S1). HS256 keys keep
/// their secret encrypted (<see cref="ProtectedSecret"/>, see <see cref="SigningSecretProtector"/>); RS256
/// keys keep only the public key, as a JWK. <see cref="Kid"/> is unique within the tenant and never reused.
/// </summary>
public sealed class SigningKey
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required string Kid { get; set; }
    public required string Algorithm { get; set; }

    /// <summary>HS256 only: the secret, encrypted with the platform's key-encryption key.</summary>
    public string? ProtectedSecret { get; set; }

    /// <summary>RS256 only: the public key as a JWK (<c>kty</c>, <c>n</c>, <c>e</c>).</summary>
    public string? PublicKeyJwk { get; set; }

    /// <summary>The <c>iss</c> tokens of this key must carry; null follows <c>Comms:Auth:Issuer</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> tokens of this key must carry; null follows <c>Comms:Auth:Audience</c>.</summary>
    public string? Audience { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>The algorithms a signing key may be pinned to: each key accepts exactly one.</summary>
public static class SigningAlgorithms
{
    public const string Hs256 = "HS256";
    public const string Rs256 = "RS256";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Hs256, Rs256 };
}
