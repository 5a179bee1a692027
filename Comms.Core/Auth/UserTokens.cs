using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Comms.Core.Auth;

/// <summary>
/// End-user JWTs: <c>sub</c> = the user's external id, <c>tid</c> = the tenant, <c>kid</c> (header) = the
/// tenant signing key. <see cref="IssueHs256"/> is what a host product does (shown in the README; used by tests).
/// </summary>
public static class UserTokens
{
    public const string TenantClaim = "tid";
    public const string SubjectClaim = "sub";

    /// <summary>The signing key a session was started with (a claim of the Web's cookie principal).</summary>
    public const string KeyIdClaim = "kid";

    /// <summary>Default <c>iss</c> (<c>Comms:Auth:Issuer</c>): the host product is unknown, so a fixed name.</summary>
    public const string DefaultIssuer = "comms";

    /// <summary>Default <c>aud</c> (<c>Comms:Auth:Audience</c>): Comms' end-user sessions.</summary>
    public const string DefaultAudience = "comms-user";

    public static string IssueHs256(string secret, string kid, string tenantId, string externalId, TimeSpan lifetime, TimeProvider time,
        string issuer = DefaultIssuer, string audience = DefaultAudience)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { [SubjectClaim] = externalId, [TenantClaim] = tenantId },
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Issuer = issuer,
            Audience = audience,
            SigningCredentials = new SigningCredentials(SigningKeyMaterial.ToSecurityKey(SigningAlgorithms.Hs256, kid, secret, null), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>The (tenant, external id) of an authenticated principal, or null when a claim is missing.</summary>
    public static (string TenantId, string ExternalId)? UserOf(ClaimsPrincipal principal)
    {
        var tenant = principal.FindFirst(TenantClaim)?.Value;
        var subject = principal.FindFirst(SubjectClaim)?.Value;
        return string.IsNullOrEmpty(tenant) || string.IsNullOrEmpty(subject) ? null : (tenant, subject);
    }
}
