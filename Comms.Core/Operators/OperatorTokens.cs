using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Comms.Core.Auth;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Comms.Core.Operators;

/// <summary>What an operator token says about its bearer.</summary>
public sealed record OperatorTokenClaims(Guid OperatorId, string Email, string DisplayName, IReadOnlyList<string> Roles,
    IReadOnlyList<(string TenantId, string Role)> TenantRoles, DateTimeOffset AuthTime, string StampHash);

/// <summary>
/// Short-lived HS256 bearer tokens for operators on <c>/sys/*</c> (<c>POST /sys/auth/token</c>): <c>sub</c> = the
/// operator id, <c>email</c>, <c>name</c>, <c>roles</c> (roles for all tenants: <c>SysOperator</c>),
/// <c>tenant_roles</c> (<c>"tenant:Role"</c>), <c>auth_time</c> (when the password was entered: fresh-auth),
/// <c>sstamp</c> (a hash of the Identity security stamp: bumping the stamp revokes every token issued before),
/// <c>iss</c> = <c>aud</c> = <see cref="Issuer"/>. The key is <see cref="OperatorOptions.TokenSigningKey"/> or
/// derived from <c>Comms:Auth:SecretEncryptionKey</c>, like the tenants' HS256 secrets kept under that key.
/// </summary>
public sealed class OperatorTokens(IOptions<OperatorOptions> options, IOptions<UserTokenOptions> auth, TimeProvider time)
{
    public const string Issuer = "comms-sys";
    public const string EmailClaim = "email";
    public const string NameClaim = "name";
    public const string RolesClaim = "roles";
    public const string TenantRolesClaim = "tenant_roles";
    public const string AuthTimeClaim = "auth_time";
    public const string StampClaim = "sstamp";
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);
    private static readonly JsonWebTokenHandler Handler = new();
    private readonly SymmetricSecurityKey _key = new(options.Value.SigningKeyBytes(auth.Value)) { KeyId = "operators" };

    public TimeSpan Lifetime => options.Value.TokenLifetime;

    /// <summary>The hash of a security stamp carried in tokens (the stamp itself stays in the database).</summary>
    public static string HashStamp(string? stamp) =>
        Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(stamp ?? "")).AsSpan(0, 16).ToArray());

    /// <summary>A bearer value that is shaped like a JWT (three base64url parts, a JSON header), not a platform key.</summary>
    public static bool LooksLikeToken(string? bearer) =>
        bearer is { Length: > 20 } && bearer.StartsWith("eyJ", StringComparison.Ordinal) && bearer.Count(c => c == '.') == 2;

    public string Issue(OperatorTokenClaims claims)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = claims.OperatorId.ToString(),
                [EmailClaim] = claims.Email,
                [NameClaim] = claims.DisplayName,
                [RolesClaim] = claims.Roles.ToArray(),
                [TenantRolesClaim] = claims.TenantRoles.Select(r => $"{r.TenantId}:{r.Role}").ToArray(),
                [AuthTimeClaim] = claims.AuthTime.ToUnixTimeSeconds(),
                [StampClaim] = claims.StampHash,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
            },
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            Issuer = Issuer,
            Audience = Issuer,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        };
        return Handler.CreateToken(descriptor);
    }

    /// <summary>The claims of a valid token, or null (bad signature, wrong issuer or audience, expired, malformed).</summary>
    public async Task<OperatorTokenClaims?> ValidateAsync(string token)
    {
        if (token.Length > UserTokenValidator.MaxTokenLength)
        {
            return null;
        }

        var result = await Handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireSignedTokens = true,
            ValidIssuer = Issuer,
            ValidAudience = Issuer,
            RequireAudience = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = ClockSkew,
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return expires is { } exp && now <= exp + ClockSkew && (notBefore is not { } nbf || nbf - ClockSkew <= now);
            },
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return null;
        }

        if (!Guid.TryParse(jwt.Subject, out var id)
            || !jwt.TryGetPayloadValue<long>(AuthTimeClaim, out var authTime)
            || !jwt.TryGetPayloadValue<string>(StampClaim, out var stamp))
        {
            return null;
        }

        var roles = jwt.Claims.Where(c => c.Type == RolesClaim).Select(c => c.Value).ToList();
        var tenantRoles = jwt.Claims.Where(c => c.Type == TenantRolesClaim).Select(c => c.Value).ToList();
        jwt.TryGetPayloadValue<string>(EmailClaim, out var email);
        jwt.TryGetPayloadValue<string>(NameClaim, out var name);
        return new OperatorTokenClaims(id, email ?? "", name ?? "", roles,
            tenantRoles.Select(r => r.Split(':', 2)).Where(p => p.Length == 2).Select(p => (p[0], p[1])).ToList(),
            DateTimeOffset.FromUnixTimeSeconds(authTime), stamp);
    }

    /// <summary>The claims principal of a validated token (role claims: global roles; tenant roles as <c>tenant_roles</c>).</summary>
    public static ClaimsPrincipal Principal(OperatorTokenClaims claims, string scheme)
    {
        var identity = new ClaimsIdentity(scheme, NameClaim, ClaimTypes.Role);
        identity.AddClaim(new Claim(JwtRegisteredClaimNames.Sub, claims.OperatorId.ToString()));
        identity.AddClaim(new Claim(EmailClaim, claims.Email));
        identity.AddClaim(new Claim(NameClaim, claims.DisplayName));
        identity.AddClaim(new Claim(AuthTimeClaim, claims.AuthTime.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        identity.AddClaims(claims.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        identity.AddClaims(claims.TenantRoles.Select(r => new Claim(TenantRolesClaim, $"{r.TenantId}:{r.Role}")));
        return new ClaimsPrincipal(identity);
    }
}
