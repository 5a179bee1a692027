using System.Security.Cryptography;
using System.Text;

namespace Comms.Core.Feedback;

/// <summary>
/// The SendGrid Event Webhook's signature: ECDSA P-256 with SHA-256 over the <c>X-Twilio-Email-Event-Webhook-Timestamp</c>
/// header's bytes immediately followed by the raw body's bytes, sent base64 (ASN.1 DER) in
/// <c>X-Twilio-Email-Event-Webhook-Signature</c>, verified with the public key SendGrid shows for the webhook
/// (base64 DER SubjectPublicKeyInfo). Pinned by SendGrid's own sample in <c>SendGridEventSignatureTests</c>.
/// </summary>
public static class SendGridEventSignature
{
    public const string SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
    public const string TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";

    /// <summary>The key from its base64 DER form; null when it is not a P-256 public key.</summary>
    public static ECDsa? ImportPublicKey(string base64Der)
    {
        try
        {
            var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(base64Der.Trim()), out _);
            if (key.KeySize != 256)
            {
                key.Dispose();
                return null;
            }

            return key;
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="signature"/> signs <paramref name="timestamp"/> ‖ <paramref name="body"/> with <paramref name="key"/>.</summary>
    public static bool Verify(ECDsa key, string? timestamp, ReadOnlySpan<byte> body, string? signature)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return false;
        }

        byte[] signatureBytes;
        try
        {
            signatureBytes = Convert.FromBase64String(signature);
        }
        catch (FormatException)
        {
            return false;
        }

        var prefix = Encoding.UTF8.GetBytes(timestamp);
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        try
        {
            return key.VerifyData(content, signatureBytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
