using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Comms.Client;

/// <summary>
/// Mints the end-user tokens a product backend hands to its users' browsers (for <c>/me</c>, the notification center
/// and the inbox widget): an HS256 JWT signed with one of the tenant's signing keys (<c>POST /v1/signing-keys</c>
/// answers its <c>kid</c> and <c>secret</c> once).
/// </summary>
public static class UserTokens
{
    /// <summary>The <c>iss</c> Comms expects unless the signing key names its own.</summary>
    public const string DefaultIssuer = "comms";

    /// <summary>The <c>aud</c> Comms expects unless the signing key names its own.</summary>
    public const string DefaultAudience = "comms-user";

    /// <summary>The longest lifetime Comms accepts by default (<c>Comms:Auth:MaxTokenLifetime</c>).</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(24);

    /// <summary>
    /// A token for user <paramref name="externalId"/> of tenant <paramref name="tenantId"/>: header <c>kid</c>, claims
    /// <c>sub</c>, <c>tid</c>, <c>iss</c>, <c>aud</c>, <c>iat</c>, <c>nbf</c> and <c>exp</c> = now + <paramref name="lifetime"/>.
    /// The HMAC key is the UTF-8 bytes of the whole secret (<c>cmsk_…</c>).
    /// </summary>
    public static string Create(string kid, string secret, string tenantId, string externalId, TimeSpan lifetime,
        string issuer = DefaultIssuer, string audience = DefaultAudience, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(kid);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(externalId);
        if (lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "The lifetime must be positive.");
        }

        var now = (timeProvider ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)) { KeyId = kid };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = externalId, ["tid"] = tenantId },
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }
}
