using System.Security.Cryptography;
using System.Text;

namespace Comms.Core.Webhooks;

/// <summary>
/// Standard Webhooks (spec 1.0.0) <c>v1</c> signatures: HMAC-SHA256 over <c>{webhook-id}.{webhook-timestamp}.{body}</c>
/// keyed with the base64-decoded secret (the part after <c>whsec_</c>), sent as <c>webhook-signature: v1,{base64}</c>.
/// Written here rather than taken from the <c>StandardWebhooks</c> package: it is a few lines, and the official test
/// vectors pin it (see <c>WebhookSignatureTests</c>).
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";
    public const int SecretBytes = 32;

    /// <summary>A new random secret, <c>whsec_</c> + base64 of 32 bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes));

    /// <summary>The HMAC key of a secret (with or without its <c>whsec_</c> prefix).</summary>
    public static byte[] Key(string secret) =>
        Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);

    /// <summary>The <c>webhook-signature</c> header value: <c>v1,{base64 HMAC-SHA256}</c>.</summary>
    public static string Sign(string secret, string id, long timestamp, string body) =>
        Sign(Key(secret), id, timestamp, Encoding.UTF8.GetBytes(body));

    public static string Sign(byte[] key, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>
    /// Whether <paramref name="signatureHeader"/> (space-separated <c>version,signature</c> pairs) holds a valid v1
    /// signature of the content, compared in constant time, and the timestamp is within <paramref name="tolerance"/> of now.
    /// </summary>
    public static bool Verify(string secret, string id, string timestampHeader, string body, string signatureHeader, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestampHeader, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var timestamp)
            || Math.Abs(now.ToUnixTimeSeconds() - timestamp) > tolerance.TotalSeconds)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, id, timestamp, body));
        foreach (var candidate in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (candidate.StartsWith("v1,", StringComparison.Ordinal)
                && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(candidate), expected))
            {
                return true;
            }
        }

        return false;
    }
}
