using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Comms.Core.Auth;

/// <summary>An RS256 public key as given (PEM or JWK), normalised to a JWK with only <c>kty</c>, <c>n</c> and <c>e</c>.</summary>
public sealed record RsaPublicKey(string Jwk, string? JwkKid);

/// <summary>Generates HS256 secrets, reads RS256 public keys, and turns stored keys into validation keys.</summary>
public static class SigningKeyMaterial
{
    public const string SecretPrefix = "cmsk_";
    public const int MinRsaKeySize = 2048;
    public const int MaxRsaKeySize = 8192;

    /// <summary>
    /// A new HS256 secret: <c>cmsk_</c> and 43 base64url characters (256 random bits). The HMAC key is the
    /// UTF-8 bytes of the whole string, as most JWT libraries take a string secret.
    /// </summary>
    public static string GenerateSecret() => SecretPrefix + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    /// <summary>Reads an RSA public key from PEM (SPKI or PKCS#1) or a JWK; (null, error) when it is not one.</summary>
    public static (RsaPublicKey? Key, string? Error) ReadRsaPublicKey(string? pem, JsonElement? jwk)
    {
        if (pem is not null && jwk is not null)
        {
            return (null, "Give the public key either as 'publicKey' (PEM) or as 'jwk', not both.");
        }

        return pem is not null ? FromPem(pem) : jwk is { } element ? FromJwk(element) : (null, "An RS256 key needs its public key: 'publicKey' (PEM) or 'jwk'.");
    }

    public static SecurityKey ToSecurityKey(string algorithm, string kid, string? secret, string? publicKeyJwk) => algorithm switch
    {
        SigningAlgorithms.Hs256 => new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret ?? throw new ArgumentNullException(nameof(secret)))) { KeyId = kid },
        SigningAlgorithms.Rs256 => RsaKey(publicKeyJwk ?? throw new ArgumentNullException(nameof(publicKeyJwk)), kid),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unsupported signing algorithm."),
    };

    private static RsaSecurityKey RsaKey(string jwk, string kid)
    {
        using var document = JsonDocument.Parse(jwk);
        var parameters = new RSAParameters
        {
            Modulus = Base64UrlEncoder.DecodeBytes(document.RootElement.GetProperty("n").GetString()),
            Exponent = Base64UrlEncoder.DecodeBytes(document.RootElement.GetProperty("e").GetString()),
        };
        return new RsaSecurityKey(parameters) { KeyId = kid };
    }

    private static (RsaPublicKey?, string?) FromPem(string pem)
    {
        if (pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            return (null, "That is a private key. Register only the public key ('-----BEGIN PUBLIC KEY-----'); keep the private key with your product.");
        }

        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return Normalize(rsa.ExportParameters(includePrivateParameters: false), null);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            return (null, "The public key is not an RSA public key in PEM form ('-----BEGIN PUBLIC KEY-----' or '-----BEGIN RSA PUBLIC KEY-----').");
        }
    }

    private static (RsaPublicKey?, string?) FromJwk(JsonElement jwk)
    {
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            return (null, "The JWK must be a JSON object such as { \"kty\": \"RSA\", \"n\": \"...\", \"e\": \"AQAB\" }.");
        }

        if (String(jwk, "kty") != "RSA")
        {
            return (null, "The JWK must have \"kty\": \"RSA\".");
        }

        if (new[] { "d", "p", "q", "dp", "dq", "qi" }.Any(name => jwk.TryGetProperty(name, out _)))
        {
            return (null, "The JWK contains private key parameters. Register only the public key (kty, n, e).");
        }

        if (String(jwk, "alg") is { } alg && alg != SigningAlgorithms.Rs256)
        {
            return (null, $"The JWK says \"alg\": \"{alg}\"; an RS256 key must say RS256 or nothing.");
        }

        if (String(jwk, "use") is { } use && use != "sig")
        {
            return (null, $"The JWK says \"use\": \"{use}\"; a signing key must say \"sig\" or nothing.");
        }

        try
        {
            var parameters = new RSAParameters
            {
                Modulus = Base64UrlEncoder.DecodeBytes(String(jwk, "n") ?? throw new FormatException()),
                Exponent = Base64UrlEncoder.DecodeBytes(String(jwk, "e") ?? throw new FormatException()),
            };
            using var rsa = RSA.Create();
            rsa.ImportParameters(parameters);
            return Normalize(rsa.ExportParameters(includePrivateParameters: false), String(jwk, "kid"));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or CryptographicException)
        {
            return (null, "The JWK's \"n\" and \"e\" must be the base64url modulus and exponent of an RSA public key.");
        }
    }

    private static (RsaPublicKey?, string?) Normalize(RSAParameters parameters, string? kid)
    {
        var bits = parameters.Modulus!.Length * 8;
        if (bits is < MinRsaKeySize or > MaxRsaKeySize)
        {
            return (null, $"The RSA key has {bits} bits; it must have between {MinRsaKeySize} and {MaxRsaKeySize}.");
        }

        var jwk = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
            ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
        });
        return (new RsaPublicKey(jwk, kid), null);
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
