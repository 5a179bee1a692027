using Comms.Core.Feedback;
using Comms.Core.Messages;
using Comms.Api.Sms;
using Comms.Core.Sms;
using Microsoft.Extensions.Options;

namespace Comms.Api.Feedback;

/// <summary>
/// <c>POST /webhooks/twilio/status</c>: Twilio's status callback for an SMS (form fields <c>MessageSid</c>, <c>MessageStatus</c>,
/// <c>ErrorCode</c>, <c>To</c>...), verified with <c>X-Twilio-Signature</c> (<see cref="TwilioSignature"/>, keyed with
/// the auth token, over the URL Twilio called and the form). The message is the one whose provider id is the <c>MessageSid</c>.
/// <list type="bullet">
/// <item><c>delivered</c> → delivered;</item>
/// <item><c>undelivered</c> / <c>failed</c> with an error that says the number can never receive SMS
/// (<see cref="PermanentErrors"/>) → bounced and the number suppressed for SMS; with any other error → failed;</item>
/// <item>other statuses (queued, sending, sent, ...) → nothing to do.</item>
/// </list>
/// </summary>
public static class TwilioStatus
{
    public const string Provider = "twilio";
    /// <summary>
    /// Errors that mean the number will not receive SMS, whoever sends: 21211 invalid number, 21610 the recipient replied
    /// STOP, 21614 not a mobile number, 30004 blocked by the recipient, 30005 unknown or inactive number, 30006 landline or
    /// unreachable carrier. Others (30003 handset off or out of coverage, 30007 carrier filtering, 30008 unknown...) can
    /// pass another day: the message fails and the number stays usable.
    /// </summary>
    public static readonly IReadOnlySet<string> PermanentErrors = new HashSet<string>(StringComparer.Ordinal)
    {
        "21211", "21610", "21614", "30004", "30005", "30006",
    };

    public static async Task<IResult> HandleAsync(
        HttpContext http, IOptions<TwilioOptions> options, IConfiguration configuration, FeedbackService feedback, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var logger = logs.CreateLogger(FeedbackWebhooks.LogCategory);
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(cancellationToken) : FormCollection.Empty;
        var token = options.Value.AuthToken;
        if (string.IsNullOrEmpty(token))
        {
            FeedbackWebhooks.LogRefused(logger, Provider, "no Comms:Providers:Twilio:AuthToken is configured");
            return FeedbackWebhooks.Unsigned("This deployment has no Twilio auth token (Comms:Providers:Twilio:AuthToken), so no callback can be verified.");
        }

        if (!TwilioSignature.IsValid(http.Request, form, token, configuration))
        {
            var signed = !string.IsNullOrEmpty(http.Request.Headers[TwilioSignature.Header].ToString());
            FeedbackWebhooks.LogRefused(logger, Provider, signed ? "bad signature" : "unsigned");
            return FeedbackWebhooks.Unsigned($"{TwilioSignature.Header} must be Twilio's signature of this URL and form with the account's auth token.");
        }

        var report = Report(form["MessageSid"].ToString(), form["MessageStatus"].ToString(), form["ErrorCode"].ToString(), form["To"].ToString());
        if (report is null)
        {
            FeedbackWebhooks.LogApplied(logger, Provider, 0, 0, 0);
            return TypedResults.NoContent();
        }

        var result = await feedback.ApplyAsync(report, cancellationToken);
        FeedbackWebhooks.LogApplied(logger, Provider, 1, result == FeedbackResult.Changed ? 1 : 0, result == FeedbackResult.UnknownMessage ? 1 : 0);
        return TypedResults.NoContent();
    }

    /// <summary>The report a callback makes, or null for a status that changes nothing here.</summary>
    public static DeliveryFeedback? Report(string sid, string status, string errorCode, string to)
    {
        if (string.IsNullOrEmpty(sid))
        {
            return null;
        }

        var reason = string.IsNullOrEmpty(errorCode) ? status : $"{status} (error {errorCode})";
        FeedbackKind? kind = status switch
        {
            "delivered" => FeedbackKind.Delivered,
            "undelivered" or "failed" => PermanentErrors.Contains(errorCode) ? FeedbackKind.Bounced : FeedbackKind.Failed,
            _ => null,
        };
        return kind is null
            ? null
            : new DeliveryFeedback(Provider, Channel.Sms, kind.Value, MessageId: null, TenantId: null, sid, string.IsNullOrEmpty(to) ? null : to,
                kind == FeedbackKind.Delivered ? null : reason);
    }
}
