using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Comms.Core.Auth;

/// <summary>
/// Encrypts tenants' HS256 secrets at rest. An HMAC secret must be recoverable to validate signatures, so a
/// hash will not do; it is sealed with AES-256-GCM under a key-encryption key from configuration
/// (<c>Comms:Auth:SecretEncryptionKey</c>). Why not ASP.NET Data Protection: its key ring would have to be
/// shared by every API and Web replica and stored durably — here that means the same PostgreSQL database,
/// right next to the ciphertext, which would add nothing; and Redis, the other shared store, is not durable
/// (losing it would lose every secret). A key kept outside the database means a dump or a backup alone reveals
/// nothing. The tenant id and kid are bound in as associated data, so a sealed secret copied to another
/// tenant's row does not decrypt. Format: <c>v1.{keyId}.{base64(nonce | tag | ciphertext)}</c>, where keyId
/// names the encryption key (so <c>PreviousSecretEncryptionKeys</c> allow rotating it).
/// </summary>
public sealed class SigningSecretProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly (string Id, byte[] Key) _current;
    private readonly Dictionary<string, byte[]> _all = new(StringComparer.Ordinal);

    public SigningSecretProtector(IOptions<UserTokenOptions> options)
    {
        var current = Convert.FromBase64String(options.Value.SecretEncryptionKey);
        _current = (KeyId(current), current);
        foreach (var key in options.Value.PreviousSecretEncryptionKeys.Select(Convert.FromBase64String).Prepend(current))
        {
            _all.TryAdd(KeyId(key), key);
        }
    }

    public static bool IsValidKey(string? value)
    {
        var buffer = new byte[64];
        return value is not null && Convert.TryFromBase64String(value, buffer, out var written) && written == 32;
    }

    public string Protect(string tenantId, string kid, string secret)
    {
        var plaintext = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_current.Key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), Associated(tenantId, kid));
        return $"v1.{_current.Id}.{Convert.ToBase64String(sealedBytes)}";
    }

    /// <summary>The secret, or null when it cannot be decrypted (unknown encryption key, or tampered with).</summary>
    public string? Unprotect(string tenantId, string kid, string protectedSecret)
    {
        var parts = protectedSecret.Split('.');
        if (parts is not ["v1", var keyId, var payload] || !_all.TryGetValue(keyId, out var key))
        {
            return null;
        }

        try
        {
            var sealedBytes = Convert.FromBase64String(payload);
            if (sealedBytes.Length < NonceSize + TagSize)
            {
                return null;
            }

            var plaintext = new byte[sealedBytes.Length - NonceSize - TagSize];
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize),
                plaintext, Associated(tenantId, kid));
            return Encoding.UTF8.GetString(plaintext);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return null;
        }
    }

    private static byte[] Associated(string tenantId, string kid) => Encoding.UTF8.GetBytes($"comms-signing-key\n{tenantId}\n{kid}");

    private static string KeyId(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key))[..8];
}
