using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Comms.Core.Data;
using Comms.Core.Recipients;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Comms.Core.Auth;

/// <summary>
/// A new signing key: <c>algorithm</c> HS256 (Comms generates the secret) or RS256 (the product's public key as
/// PEM in <c>publicKey</c> or as a JWK in <c>jwk</c>); optional <c>kid</c>, <c>issuer</c> and <c>audience</c>.
/// </summary>
public sealed record SigningKeyRequest(string? Kid, string? Algorithm, string? PublicKey, JsonElement? Jwk, string? Issuer, string? Audience);

/// <summary>A signing key as lists show it: never a secret. <c>issuer</c>/<c>audience</c> are the values its tokens must carry.</summary>
public sealed record SigningKeyView(string Kid, string Algorithm, string Issuer, string Audience, JsonElement? PublicKey, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A key just created. <see cref="Secret"/> (HS256) is shown this once: the HMAC key is its UTF-8 bytes.</summary>
public sealed record CreatedSigningKey(string Kid, string Algorithm, string Issuer, string Audience, JsonElement? PublicKey, DateTimeOffset CreatedAt, string? Secret);

public enum SigningKeyRevocation
{
    Revoked,
    AlreadyRevoked,
    NotFound,
}

/// <summary>Creates, lists and revokes a tenant's user-token signing keys.</summary>
public sealed partial class SigningKeyService(
    IDbContextFactory<CommsDbContext> contexts,
    SigningSecretProtector protector,
    SigningKeyChanges changes,
    IOptions<UserTokenOptions> options,
    TimeProvider time)
{
    /// <summary>Active keys a tenant may have at once: enough to rotate, few enough to load on every cache miss.</summary>
    public const int MaxActiveKeys = 20;

    public const int MaxKidLength = 128;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._~:-]{0,127}$")]
    private static partial Regex KidPattern();

    /// <summary>Whether <paramref name="kid"/> could name a key (anything else, e.g. with control characters, names none).</summary>
    public static bool IsValidKid(string? kid) => kid is not null && KidPattern().IsMatch(kid);

    /// <summary>Checks the request; on success also returns the normalised RS256 public key.</summary>
    public static (Dictionary<string, string[]> Errors, RsaPublicKey? PublicKey) Validate(SigningKeyRequest? request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request is null)
        {
            errors["body"] = ["The request body must be a JSON object: { \"algorithm\": \"HS256\" } or { \"algorithm\": \"RS256\", \"publicKey\": \"-----BEGIN PUBLIC KEY-----...\" }."];
            return (errors, null);
        }

        if (request.Kid is not null && !KidPattern().IsMatch(request.Kid))
        {
            errors["kid"] = [$"The kid is 1-{MaxKidLength} letters, digits and '.', '_', '~', ':', '-', starting with a letter or digit."];
        }

        CheckClaimValue(errors, "issuer", request.Issuer);
        CheckClaimValue(errors, "audience", request.Audience);

        RsaPublicKey? publicKey = null;
        switch (request.Algorithm)
        {
            case SigningAlgorithms.Hs256:
                if (request.PublicKey is not null || request.Jwk is not null)
                {
                    errors["algorithm"] = ["An HS256 key has no public key: Comms generates its secret. Use RS256 to register a public key."];
                }

                break;
            case SigningAlgorithms.Rs256:
                var (key, error) = SigningKeyMaterial.ReadRsaPublicKey(request.PublicKey, request.Jwk);
                if (error is not null)
                {
                    errors[request.Jwk is not null && request.PublicKey is null ? "jwk" : "publicKey"] = [error];
                }

                publicKey = key;
                if (key?.JwkKid is { } jwkKid && request.Kid is null && !KidPattern().IsMatch(jwkKid))
                {
                    errors["jwk.kid"] = ["The JWK's kid is not a valid kid; give a 'kid' in the request."];
                }

                break;
            default:
                errors["algorithm"] = [$"{RecipientFormats.Quote(request.Algorithm)} is not an algorithm; use \"HS256\" (a generated shared secret) or \"RS256\" (your public key)."];
                break;
        }

        return (errors, publicKey);
    }

    /// <summary>Creates the key; null when the tenant has the kid already (active or revoked: kids are never reused).</summary>
    public async Task<SigningKeyCreation> CreateAsync(string tenantId, SigningKeyRequest request, RsaPublicKey? publicKey, CancellationToken cancellationToken)
    {
        var kid = request.Kid ?? publicKey?.JwkKid ?? "key-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = request.Algorithm == SigningAlgorithms.Hs256 ? SigningKeyMaterial.GenerateSecret() : null;
        var key = new SigningKey
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, Kid = kid, Algorithm = request.Algorithm!,
            ProtectedSecret = secret is null ? null : protector.Protect(tenantId, kid, secret),
            PublicKeyJwk = publicKey?.Jwk, Issuer = request.Issuer, Audience = request.Audience, CreatedAt = time.GetUtcNow(),
        };

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM tenants WHERE id = {tenantId} FOR UPDATE", cancellationToken);
        if (await db.SigningKeys.AnyAsync(k => k.TenantId == tenantId && k.Kid == kid, cancellationToken))
        {
            return new SigningKeyCreation(null, SigningKeyConflict.DuplicateKid, kid);
        }

        if (await db.SigningKeys.CountAsync(k => k.TenantId == tenantId && k.RevokedAt == null, cancellationToken) >= MaxActiveKeys)
        {
            return new SigningKeyCreation(null, SigningKeyConflict.TooManyKeys, kid);
        }

        db.SigningKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await changes.PublishAsync(tenantId);
        var view = View(key);
        return new SigningKeyCreation(new CreatedSigningKey(view.Kid, view.Algorithm, view.Issuer, view.Audience, view.PublicKey, view.CreatedAt, secret), null, kid);
    }

    /// <summary>The tenant's keys, newest first, revoked ones included.</summary>
    public async Task<IReadOnlyList<SigningKeyView>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var keys = await db.SigningKeys.AsNoTracking().Where(k => k.TenantId == tenantId)
            .OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id).ToListAsync(cancellationToken);
        return keys.Select(View).ToList();
    }

    public async Task<SigningKeyView?> GetAsync(string tenantId, string kid, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var key = await db.SigningKeys.AsNoTracking().FirstOrDefaultAsync(k => k.TenantId == tenantId && k.Kid == kid, cancellationToken);
        return key is null ? null : View(key);
    }

    /// <summary>Revokes a key: refused at once here, and everywhere else as soon as the change notification arrives.</summary>
    public async Task<SigningKeyRevocation> RevokeAsync(string tenantId, string kid, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var key = await db.SigningKeys.FirstOrDefaultAsync(k => k.TenantId == tenantId && k.Kid == kid, cancellationToken);
        if (key is null)
        {
            return SigningKeyRevocation.NotFound;
        }

        if (key.RevokedAt is not null)
        {
            return SigningKeyRevocation.AlreadyRevoked;
        }

        key.RevokedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await changes.PublishAsync(tenantId);
        return SigningKeyRevocation.Revoked;
    }

    private SigningKeyView View(SigningKey key) => new(
        key.Kid, key.Algorithm, key.Issuer ?? options.Value.Issuer, key.Audience ?? options.Value.Audience,
        key.PublicKeyJwk is null ? null : JsonSerializer.Deserialize<JsonElement>(key.PublicKeyJwk), key.CreatedAt, key.RevokedAt);

    private static void CheckClaimValue(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (value is not null && (string.IsNullOrWhiteSpace(value) || value.Length > 256 || RecipientFormats.HasControlCharacters(value)))
        {
            errors[field] = [$"The {field} must be 1-256 characters without control characters (or left out for the platform default)."];
        }
    }
}

public enum SigningKeyConflict
{
    DuplicateKid,
    TooManyKeys,
}

/// <summary>The outcome of a create: the key, or why not.</summary>
public sealed record SigningKeyCreation(CreatedSigningKey? Created, SigningKeyConflict? Conflict, string Kid);
