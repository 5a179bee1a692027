using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Feedback;

/// <summary>Signs provider callbacks the way SendGrid and Twilio do, with the keys the fixture configures.</summary>
public static class ProviderSignatures
{
    private static readonly ECDsa SendGridKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public static readonly string SendGridPublicKey = Convert.ToBase64String(SendGridKey.ExportSubjectPublicKeyInfo());

    public const string TwilioAuthToken = CommsFixture.TwilioAuthToken;

    /// <summary>A SendGrid Event Webhook POST of <paramref name="body"/>, signed (or with <paramref name="signature"/> instead).</summary>
    public static HttpRequestMessage SendGridPost(string body, string? signature = null, bool signed = true)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/sendgrid/events") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (signed)
        {
            var content = Encoding.UTF8.GetBytes(timestamp + body);
            request.Headers.Add("X-Twilio-Email-Event-Webhook-Signature",
                signature ?? Convert.ToBase64String(SendGridKey.SignData(content, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
            request.Headers.Add("X-Twilio-Email-Event-Webhook-Timestamp", timestamp);
        }

        return request;
    }

    /// <summary>Twilio's X-Twilio-Signature: base64 HMAC-SHA1 (auth token) of the URL followed by the form's names and values sorted by name.</summary>
    public static string Twilio(string token, string url, IEnumerable<KeyValuePair<string, string>> form)
    {
        var data = new StringBuilder(url);
        foreach (var (key, value) in form.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            data.Append(key).Append(value);
        }

        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(data.ToString())));
    }

    /// <summary>A Twilio status callback POST to the in-process API (whose URL is http://localhost/...), signed unless told.</summary>
    public static HttpRequestMessage TwilioPost(Dictionary<string, string> form, string? token = TwilioAuthToken, string? signature = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/twilio/status") { Content = new FormUrlEncodedContent(form) };
        if (token is not null)
        {
            request.Headers.Add("X-Twilio-Signature", signature ?? Twilio(token, "http://localhost/webhooks/twilio/status", form));
        }

        return request;
    }
}
