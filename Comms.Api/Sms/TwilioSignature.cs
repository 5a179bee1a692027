using Twilio.Security;

namespace Comms.Api.Sms;

/// <summary>
/// Checks <c>X-Twilio-Signature</c> with the Twilio library's <see cref="RequestValidator"/>: base64 HMAC-SHA1, keyed with the
/// auth token, of the full URL Twilio called followed by every POST field sorted by name as <c>name+value</c>. The URL is
/// <c>Comms:Links:PublicApiUrl</c> + path + query when that is set (behind a proxy the request's own URL is not the one
/// Twilio signed), else the request's URL.
/// </summary>
public static class TwilioSignature
{
    public const string Header = "X-Twilio-Signature";

    public static bool IsValid(HttpRequest request, IFormCollection form, string authToken, IConfiguration configuration)
    {
        var signature = request.Headers[Header].ToString();
        if (string.IsNullOrEmpty(signature))
        {
            return false;
        }

        var parameters = form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        return new RequestValidator(authToken).Validate(UrlOf(request, configuration["Comms:Links:PublicApiUrl"]), parameters, signature);
    }

    /// <summary>The URL Twilio was given for this request.</summary>
    public static string UrlOf(HttpRequest request, string? publicApiUrl) =>
        string.IsNullOrWhiteSpace(publicApiUrl)
            ? $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}"
            : publicApiUrl.TrimEnd('/') + request.Path + request.QueryString;
}
