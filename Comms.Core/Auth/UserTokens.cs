using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Comms.Core.Auth;

/// <summary>Issues and describes validation of end-user JWTs (HS256; <c>sub</c> = external id, <c>tid</c> = tenant).</summary>
public static class UserTokens
{
    public const string TenantClaim = "tid";
    public const string SubjectClaim = "sub";

    public static string Issue(UserTokenOptions options, string tenantId, string externalId, TimeSpan lifetime, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim(SubjectClaim, externalId), new Claim(TenantClaim, tenantId)]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Issuer = string.IsNullOrEmpty(options.Issuer) ? null : options.Issuer,
            Audience = string.IsNullOrEmpty(options.Audience) ? null : options.Audience,
            SigningCredentials = new SigningCredentials(SigningKey(options), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public static TokenValidationParameters ValidationParameters(UserTokenOptions options) => new()
    {
        IssuerSigningKey = SigningKey(options),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ValidateIssuer = !string.IsNullOrEmpty(options.Issuer),
        ValidIssuer = options.Issuer,
        ValidateAudience = !string.IsNullOrEmpty(options.Audience),
        ValidAudience = options.Audience,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        NameClaimType = SubjectClaim,
    };

    /// <summary>The (tenant, external id) of a validated principal, or null when a claim is missing.</summary>
    public static (string TenantId, string ExternalId)? UserOf(ClaimsPrincipal principal)
    {
        var tenant = principal.FindFirst(TenantClaim)?.Value;
        var subject = principal.FindFirst(SubjectClaim)?.Value ?? principal.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        return string.IsNullOrEmpty(tenant) || string.IsNullOrEmpty(subject) ? null : (tenant, subject);
    }

    private static SymmetricSecurityKey SigningKey(UserTokenOptions options) =>
        new(Encoding.UTF8.GetBytes(options.UserTokenSigningKey));
}
