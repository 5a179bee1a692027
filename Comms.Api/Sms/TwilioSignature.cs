using Twilio.Security;

namespace Comms.Api.Sms;

/// <summary>
/// Checks <c>X-Twilio-Signature</c> with the Twilio library's <see cref="RequestValidator"/>: base64 HMAC-SHA1, keyed with the
/// auth token, of the full URL Twilio called followed by every POST field sorted by name as <c>name+value</c>. The URL is
/// request's own URL, or <c>Comms:Links:PublicApiUrl</c> + path + query when that is set (behind a proxy the request's own
/// URL is not the one Twilio signed). Used by every Twilio webhook (inbound keywords, status callbacks).
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
        var validator = new RequestValidator(authToken);
        var publicApiUrl = configuration["Comms:Links:PublicApiUrl"];
        return validator.Validate(UrlOf(request, null), parameters, signature)
               || (!string.IsNullOrWhiteSpace(publicApiUrl) && validator.Validate(UrlOf(request, publicApiUrl), parameters, signature));
    }

    /// <summary>The URL Twilio was given for this request.</summary>
    public static string UrlOf(HttpRequest request, string? publicApiUrl) =>
        string.IsNullOrWhiteSpace(publicApiUrl)
            ? $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}"
            : publicApiUrl.TrimEnd('/') + request.Path + request.QueryString;
}
