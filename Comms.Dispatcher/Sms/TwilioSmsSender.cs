using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Comms.Core.Messages;
using Comms.Core.Sms;
using Comms.Core.Unsubscribe;
using Comms.Dispatcher.Push;
using Comms.Dispatcher.Sending;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Sms;

/// <summary>
/// Sends SMS through Twilio's Messages API: <c>POST {BaseUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json</c>, form-encoded
/// <c>To</c>, <c>From</c> and/or <c>MessagingServiceSid</c>, <c>Body</c> (the rendered text with its STOP/HELP footer) and
/// <c>StatusCallback</c> (when <c>Comms:Links:PublicApiUrl</c> is set), HTTP basic <c>AccountSid:AuthToken</c>.
/// 200/201 is sent with the message SID; a timeout, 408, 429 (honouring <c>Retry-After</c>) or 5xx is transient; any other
/// answer is permanent, <c>COMMS_PROVIDER_REJECTED: Twilio {code} …</c> (<c>COMMS_PROVIDER_CONFIG</c> for the account's
/// credentials). Error 21610 (the recipient replied STOP) also withdraws the phone's SMS consent in the tenant (<see cref="SmsConsent"/>).
/// </summary>
public sealed partial class TwilioSmsSender(
    IHttpClientFactory clients,
    SmsConsent consent,
    IOptions<TwilioOptions> options,
    IOptions<PublicLinksOptions> links,
    TimeProvider time,
    ILogger<TwilioSmsSender> logger) : IChannelSender
{
    public const string HttpClientName = TwilioOptions.ProviderName;

    /// <summary>The consent reason recorded when Twilio answers 21610.</summary>
    public const string UnsubscribedReason = "twilio_21610";

    /// <summary>Twilio error codes with what they mean for the message (never Twilio's own message, which quotes the number).</summary>
    private static readonly Dictionary<int, string> Known = new()
    {
        [21211] = "the 'To' number is not a valid phone number",
        [21408] = "the account may not send to this region",
        [21610] = "the recipient replied STOP to this sender; SMS consent was withdrawn until they reply START",
        [21612] = "the 'To' number cannot be reached from this sender",
        [21614] = "the 'To' number is not a mobile number",
        [21617] = "the body is over 1,600 characters",
        [30004] = "the message is blocked for this recipient",
    };

    public string Channel => Core.Messages.Channel.Sms;

    public string Provider => AttemptProviders.Twilio;

    public async Task<SendOutcome> SendAsync(ClaimedMessage message, string leaseOwner, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrEmpty(message.Address))
        {
            return new SendOutcome.Permanent($"{ReasonCodes.NoAddress}: the recipient has no phone number.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, $"2010-04-01/Accounts/{Uri.EscapeDataString(settings.AccountSid!)}/Messages.json")
        {
            Content = new FormUrlEncodedContent(Form(message, settings)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.AccountSid}:{settings.AuthToken}")));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var sid = Parse(text, TwilioJson.Default.TwilioMessage)?.Sid;
                return new SendOutcome.Sent(sid) { StatusCode = (int)response.StatusCode, Response = SendOutcome.Http(response.StatusCode) };
            }

            var error = Parse(text, TwilioJson.Default.TwilioError);
            var status = PushPayload.Status(response.StatusCode);
            LogRejected(logger, message.Id, status, error?.Code);
            if (PushPayload.IsTransient(response.StatusCode) || error?.Code == 20429)
            {
                return new SendOutcome.Transient($"Twilio answered {status}{Describe(error)}.", PushPayload.RetryAfter(response.Headers, time.GetUtcNow()))
                {
                    StatusCode = (int)response.StatusCode, Response = Answer(response.StatusCode, error),
                };
            }

            if (error?.Code == 21610)
            {
                await consent.OptOutAsync(message.Address, message.TenantId, UnsubscribedReason, cancellationToken);
            }

            return new SendOutcome.Permanent(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                ? $"{PushPayload.ConfigError}: Twilio refused the account's credentials ({status}{Describe(error)}); check {TwilioOptions.SectionName}."
                : $"{PushPayload.Rejected}: Twilio answered {status}{Describe(error)}.")
            {
                StatusCode = (int)response.StatusCode, Response = Answer(response.StatusCode, error),
            };
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogNoAnswer(logger, message.Id, ex.GetType().Name);
            return new SendOutcome.Transient($"Twilio did not answer: {ex.GetType().Name}.") { Response = $"no answer ({ex.GetType().Name})" };
        }
    }

    /// <summary>The form fields, in Twilio's names.</summary>
    public IEnumerable<KeyValuePair<string, string>> Form(ClaimedMessage message, TwilioOptions settings)
    {
        yield return new("To", message.Address!);
        if (!string.IsNullOrWhiteSpace(settings.MessagingServiceSid))
        {
            yield return new("MessagingServiceSid", settings.MessagingServiceSid);
        }

        if (!string.IsNullOrWhiteSpace(settings.From))
        {
            yield return new("From", settings.From);
        }

        yield return new("Body", message.Content.Text ?? message.Content.Body ?? "");
        if (StatusCallback(links.Value) is { } callback)
        {
            yield return new("StatusCallback", callback);
        }
    }

    /// <summary>Where Twilio reports delivery (the feedback endpoint of the API), when the API's public address is known.</summary>
    public static string? StatusCallback(PublicLinksOptions links) =>
        string.IsNullOrWhiteSpace(links.PublicApiUrl) ? null : links.PublicApiUrl.TrimEnd('/') + "/webhooks/twilio/status";

    private static string Describe(TwilioError? error) => error?.Code switch
    {
        null => "",
        { } code when Known.TryGetValue(code, out var meaning) => $", error {code}: {meaning}",
        { } code => $", error {code}" + (error.MoreInfo is { Length: > 0 and < 200 } info && !info.Any(char.IsControl) ? $" ({info})" : ""),
    };

    /// <summary>The attempt's summary: the HTTP status and Twilio's error code (a number), never Twilio's message.</summary>
    private static string Answer(HttpStatusCode status, TwilioError? error) =>
        SendOutcome.Http(status) + (error?.Code is { } code ? $", error {code}" : "");

    private static T? Parse<T>(string text, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return string.IsNullOrWhiteSpace(text) ? default : JsonSerializer.Deserialize(text, type);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Twilio answered {Status} (error code {Code}) for message {MessageId}")]
    private static partial void LogRejected(ILogger logger, Guid messageId, string status, int? code);

    [LoggerMessage(2, LogLevel.Warning, "Twilio did not answer for message {MessageId}: {Problem}")]
    private static partial void LogNoAnswer(ILogger logger, Guid messageId, string problem);
}

public sealed record TwilioMessage([property: JsonPropertyName("sid")] string? Sid, [property: JsonPropertyName("status")] string? Status);

public sealed record TwilioError(
    [property: JsonPropertyName("code")] int? Code,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("more_info")] string? MoreInfo,
    [property: JsonPropertyName("status")] int? Status);

[JsonSerializable(typeof(TwilioMessage))]
[JsonSerializable(typeof(TwilioError))]
internal sealed partial class TwilioJson : JsonSerializerContext;
