using System.Text.Json;
using Comms.Api.OpenApi;
using Comms.Core.Feedback;
using Comms.Core.Messages;

namespace Comms.Api.Feedback;

/// <summary>
/// <c>POST /webhooks/sendgrid/events</c>: SendGrid's Event Webhook (a JSON array of events), verified with the configured
/// ECDSA key over timestamp ‖ raw body before anything is read. Events are matched to messages by the custom args every
/// personalization carries (<c>comms_message_id</c>, <c>comms_tenant</c>); events without them are ignored.
/// <list type="bullet">
/// <item><c>delivered</c> → delivered;</item>
/// <item><c>bounce</c> of type <c>bounce</c> (hard) → bounced, the address suppressed; of type <c>blocked</c> → recorded as the last error (SendGrid's own retry policy applies), status kept;</item>
/// <item><c>deferred</c> → recorded (SendGrid retries it);</item>
/// <item><c>spamreport</c> → complained, the address suppressed;</item>
/// <item><c>dropped</c> → failed with SendGrid's reason;</item>
/// <item>anything else (processed, open, click, unsubscribe...) → ignored.</item>
/// </list>
/// Repeats (SendGrid retries for up to 24 h) change nothing: a status moves only forward.
/// </summary>
public static class SendGridEvents
{
    public const string Provider = "sendgrid";
    public const string MessageIdArg = "comms_message_id";
    public const string TenantArg = "comms_tenant";

    public static async Task<IResult> HandleAsync(
        HttpContext http, SendGridEventKey key, FeedbackService feedback, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var logger = logs.CreateLogger(FeedbackWebhooks.LogCategory);
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.GetBuffer().AsSpan(0, (int)buffer.Length).ToArray();
        if (key.Key is null)
        {
            FeedbackWebhooks.LogRefused(logger, Provider, "no Comms:Providers:SendGrid:EventWebhookPublicKey is configured");
            return FeedbackWebhooks.Unsigned("This deployment has no SendGrid Event Webhook key (Comms:Providers:SendGrid:EventWebhookPublicKey), so no event can be verified.");
        }

        var timestamp = http.Request.Headers[SendGridEventSignature.TimestampHeader].ToString();
        var signature = http.Request.Headers[SendGridEventSignature.SignatureHeader].ToString();
        if (!SendGridEventSignature.Verify(key.Key, timestamp, body, signature))
        {
            FeedbackWebhooks.LogRefused(logger, Provider, string.IsNullOrEmpty(signature) ? "unsigned" : "bad signature");
            return FeedbackWebhooks.Unsigned(
                $"{SendGridEventSignature.SignatureHeader} must be SendGrid's ECDSA signature of {SendGridEventSignature.TimestampHeader} followed by the raw body.");
        }

        List<DeliveryFeedback> reports;
        try
        {
            reports = Parse(body);
        }
        catch (JsonException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, type: ProblemTypes.BadRequest,
                title: "The body is not a JSON array of SendGrid events.", detail: "Nothing was changed.");
        }

        int changed = 0, unknown = 0;
        foreach (var report in reports)
        {
            switch (await feedback.ApplyAsync(report, cancellationToken))
            {
                case FeedbackResult.Changed: changed++; break;
                case FeedbackResult.UnknownMessage: unknown++; break;
            }
        }

        FeedbackWebhooks.LogApplied(logger, Provider, reports.Count, changed, unknown);
        return TypedResults.Ok(new FeedbackAnswer(reports.Count, changed, unknown));
    }

    /// <summary>The reports of an Event Webhook body: one per event that says something about one of our messages.</summary>
    public static List<DeliveryFeedback> Parse(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("not an array");
        }

        var reports = new List<DeliveryFeedback>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !Guid.TryParse(Text(item, MessageIdArg), out var messageId) || Text(item, TenantArg) is not { Length: > 0 } tenant)
            {
                continue;
            }

            var reason = Text(item, "reason") ?? Text(item, "response");
            var kind = (Text(item, "event"), Text(item, "type")) switch
            {
                ("delivered", _) => FeedbackKind.Delivered,
                ("bounce", "blocked") => FeedbackKind.Note,
                ("bounce", _) => FeedbackKind.Bounced,
                ("deferred", _) => FeedbackKind.Note,
                ("spamreport", _) => FeedbackKind.Complained,
                ("dropped", _) => FeedbackKind.Failed,
                _ => (FeedbackKind?)null,
            };
            if (kind is null)
            {
                continue;
            }

            var label = Text(item, "event") == "bounce" && Text(item, "type") == "blocked" ? "blocked" : Text(item, "event");
            reports.Add(new DeliveryFeedback(Provider, Channel.Email, kind.Value, messageId, tenant, ProviderMessageId: null,
                Address: Text(item, "email"), Reason: reason is null ? label : $"{label}: {reason}"));
        }

        return reports;
    }

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>What a provider callback did: reports read, statuses changed, reports about no message of ours.</summary>
public sealed record FeedbackAnswer(int Reports, int Changed, int Unknown);
