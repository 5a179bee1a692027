using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Comms.Core.Auth;

/// <summary>The user a token vouches for, or why it was refused (safe to show: never a secret or the token).</summary>
public sealed record UserTokenValidation(string? TenantId, string? ExternalId, string? Kid, string? Failure)
{
    public bool IsValid => Failure is null;

    public static UserTokenValidation Refused(string reason) => new(null, null, null, reason);
}

/// <summary>
/// Validates end-user JWTs (SPEC S1) — the one component behind the API's <c>/me</c>, the Web's session
/// start and the SignalR hub. A token must name its tenant (<c>tid</c>), user (<c>sub</c>) and key
/// (<c>kid</c> in the header); it is checked only against that tenant's active key of that kid, with the
/// algorithm pinned to the key's (HS256 or RS256; <c>none</c> and HS/RS confusion are refused), its
/// <c>iss</c> and <c>aud</c>, a required <c>exp</c>, a clock skew of at most a minute, and a lifetime cap.
/// A key of tenant A can never validate a token for tenant B: B's keys are the only candidates.
/// </summary>
public sealed partial class UserTokenValidator(ISigningKeySource keys, IOptions<UserTokenOptions> options, TimeProvider time)
{
    public const int MaxTokenLength = 8192;
    private static readonly JsonWebTokenHandler Handler = new();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,62}$")]
    private static partial Regex TenantIdPattern();

    public async Task<UserTokenValidation> ValidateAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return UserTokenValidation.Refused("The user token is empty.");
        }

        if (token.Length > MaxTokenLength)
        {
            return UserTokenValidation.Refused($"The user token is longer than {MaxTokenLength} characters.");
        }

        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenMalformedException or FormatException)
        {
            return UserTokenValidation.Refused("The user token is not a well-formed JWT (header.payload.signature).");
        }

        if (Structure(jwt) is { } structural)
        {
            return UserTokenValidation.Refused(structural);
        }

        var tenantId = jwt.GetPayloadValue<string>(UserTokens.TenantClaim);
        var subject = jwt.GetPayloadValue<string>(UserTokens.SubjectClaim);
        var tenant = await keys.GetAsync(tenantId, cancellationToken);
        if (!tenant.TenantExists)
        {
            return UserTokenValidation.Refused($"The tenant '{tenantId}' named by 'tid' does not exist.");
        }

        if (!tenant.Keys.TryGetValue(jwt.Kid, out var key))
        {
            return UserTokenValidation.Refused($"The signing key '{jwt.Kid}' is unknown to tenant '{tenantId}' or has been revoked.");
        }

        if (jwt.Alg != key.Algorithm)
        {
            return UserTokenValidation.Refused($"The token is signed with {jwt.Alg}, but key '{key.Kid}' accepts only {key.Algorithm}.");
        }

        var result = await Handler.ValidateTokenAsync(jwt, Parameters(key));
        if (!result.IsValid)
        {
            return UserTokenValidation.Refused(Describe(result.Exception, key));
        }

        return Lifetime(jwt) is { } expired ? UserTokenValidation.Refused(expired) : new UserTokenValidation(tenantId, subject, key.Kid, null);
    }

    private static string? Structure(JsonWebToken jwt)
    {
        if (jwt.IsEncrypted)
        {
            return "Encrypted tokens (JWE) are not accepted; sign the token (JWS) with one of the tenant's keys.";
        }

        if (string.IsNullOrEmpty(jwt.Alg) || string.Equals(jwt.Alg, "none", StringComparison.OrdinalIgnoreCase))
        {
            return "Unsigned tokens (alg 'none') are refused.";
        }

        if (!SigningAlgorithms.All.Contains(jwt.Alg))
        {
            return $"The algorithm '{jwt.Alg}' is not accepted; tokens are signed with HS256 or RS256.";
        }

        if (string.IsNullOrEmpty(jwt.Kid))
        {
            return "The token header has no 'kid': name the tenant signing key that signed it.";
        }

        if (!jwt.TryGetPayloadValue<string>(UserTokens.TenantClaim, out var tenantId) || string.IsNullOrEmpty(tenantId))
        {
            return "The token has no 'tid' (tenant id) claim.";
        }

        if (!TenantIdPattern().IsMatch(tenantId))
        {
            return "The token's 'tid' is not a tenant id.";
        }

        if (!jwt.TryGetPayloadValue<string>(UserTokens.SubjectClaim, out var subject) || string.IsNullOrWhiteSpace(subject))
        {
            return "The token has no 'sub' (the user's external id) claim.";
        }

        if (subject.Length > 256 || subject.Any(char.IsControl))
        {
            return "The token's 'sub' must be at most 256 characters without control characters.";
        }

        return jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out _) ? null : "The token has no 'exp' (expiry) claim.";
    }

    private static TokenValidationParameters Parameters(ActiveSigningKey key) => new()
    {
        IssuerSigningKey = key.Key,
        TryAllIssuerSigningKeys = false,
        ValidAlgorithms = [key.Algorithm],
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = false,
        ValidateIssuer = true,
        ValidIssuer = key.Issuer,
        ValidateAudience = true,
        RequireAudience = true,
        ValidAudience = key.Audience,
        // Lifetime is checked below against the injected clock, with the lifetime cap.
        ValidateLifetime = false,
        RequireExpirationTime = true,
        NameClaimType = UserTokens.SubjectClaim,
    };

    private static string Describe(Exception? exception, ActiveSigningKey key) => exception switch
    {
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException =>
            $"Bad signature: the token is not signed by key '{key.Kid}'.",
        SecurityTokenInvalidAlgorithmException => $"Key '{key.Kid}' accepts only {key.Algorithm}.",
        SecurityTokenInvalidIssuerException => $"The issuer ('iss') is missing or wrong: key '{key.Kid}' expects '{key.Issuer}'.",
        SecurityTokenInvalidAudienceException => $"The audience ('aud') is missing or wrong: key '{key.Kid}' expects '{key.Audience}'.",
        _ => "The user token is not valid.",
    };

    private string? Lifetime(JsonWebToken jwt)
    {
        var now = time.GetUtcNow();
        var skew = options.Value.ClockSkew;
        var expires = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
        if (now > expires + skew)
        {
            return $"The token expired at {Format(expires)}.";
        }

        if (jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Nbf, out _) && new DateTimeOffset(jwt.ValidFrom, TimeSpan.Zero) - skew > now)
        {
            return $"The token is not valid before {Format(new DateTimeOffset(jwt.ValidFrom, TimeSpan.Zero))}.";
        }

        var hasIssuedAt = jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out _);
        var issuedAt = hasIssuedAt ? new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero) : now;
        if (hasIssuedAt && issuedAt - skew > now)
        {
            return $"The token is issued in the future ({Format(issuedAt)}).";
        }

        var max = options.Value.MaxTokenLifetime;
        return expires - issuedAt > max
            ? $"The token's lifetime is too long: {(expires - issuedAt).TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} h between 'iat' (or now) and 'exp', above the maximum of {max.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} h."
            : null;
    }

    private static string Format(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
