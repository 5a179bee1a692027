using System.Security.Cryptography;
using System.Text;

namespace Comms.Core.Tenancy;

/// <summary>Creates and hashes API key secrets. Keys look like <c>cms_k3f9a2b1_9Jd...</c>.</summary>
public static class ApiKeySecrets
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    public const string KeyPrefix = "cms_";

    public static (string Key, string Prefix) Generate()
    {
        var id = RandomString(8).ToLowerInvariant();
        var prefix = KeyPrefix + id;
        return ($"{prefix}_{RandomString(40)}", prefix);
    }

    /// <summary>The recognisable, non-secret part of a key, safe to log and to show in lists.</summary>
    public static string PrefixOf(string key)
    {
        if (key.StartsWith(KeyPrefix, StringComparison.Ordinal))
        {
            var end = key.IndexOf('_', KeyPrefix.Length);
            if (end > 0)
            {
                return key[..end];
            }
        }

        return key.Length <= 6 ? "***" : key[..6] + "…";
    }

    /// <summary>Keys are high-entropy random strings, so a plain SHA-256 is an appropriate at-rest hash.</summary>
    public static string Hash(string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string RandomString(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
