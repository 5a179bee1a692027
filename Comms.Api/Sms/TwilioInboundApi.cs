using System.Security;
using Comms.Api.OpenApi;
using Comms.Core.Recipients;
using Comms.Core.Sms;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Comms.Api.Sms;

/// <summary>
/// <c>POST /webhooks/twilio/inbound</c>: the messages recipients send to the deployment's Twilio number, as Twilio posts
/// them (form-encoded), signed with <c>X-Twilio-Signature</c> (checked with the account's auth token; unsigned or
/// mis-signed → 401 <c>COMMS_UNAUTHORIZED</c> and nothing changes). STOP keywords withdraw the sender phone's SMS consent,
/// START keywords give it back (<see cref="SmsConsent"/>), HELP/INFO is answered with the help text; the answer is always
/// TwiML (<c>text/xml</c>). Which recipients a phone means: every tenant's with that number (one Twilio number for the
/// deployment), or one tenant's when the webhook URL configured at Twilio carries <c>?tenant={id}</c>.
/// </summary>
public static partial class TwilioInboundApi
{
    private const string LogCategory = "Comms.Api.Sms";

    /// <summary>The framework's code for a body of the wrong media type (here: not form fields).</summary>
    public const string UnsupportedMediaType = "COMMS_UNSUPPORTED_MEDIA_TYPE";

    public static RouteHandlerBuilder MapTwilioInboundApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/webhooks/twilio/inbound", Inbound)
            .WithTags("Provider webhooks")
            .AllowAnonymous()
            .WithMetadata(new ProviderSignatureMetadata(SecuritySchemes.TwilioSignature))
            .DisableAntiforgery()
            .WithSummary("Twilio's inbound SMS webhook (STOP, START and HELP keywords)")
            .WithDescription("Called by Twilio, not by tenants: configure https://{api}/webhooks/twilio/inbound (optionally ?tenant={id}) as the number's "
                + "'A message comes in' webhook. Signed with X-Twilio-Signature (HMAC-SHA1 with the account's auth token over the URL and the sorted form "
                + "fields). STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT turn SMS off for the phone's recipients and suppress the phone; START, UNSTOP, YES "
                + "turn it back on; HELP, INFO are answered with the help text. The body is Twilio's form (From, To, Body, MessageSid, AccountSid...). Answers TwiML.")
            .Produces<string>(StatusCodes.Status200OK, "text/xml")
            .ProducesProblems(StatusCodes.Status400BadRequest, ProblemTypes.BadRequest, ProblemTypes.Validation)
            .ProducesProblems(StatusCodes.Status401Unauthorized, ProblemTypes.Unauthorized)
            .ProducesProblems(StatusCodes.Status413PayloadTooLarge, ProblemTypes.RequestTooLarge)
            .ProducesProblems(StatusCodes.Status415UnsupportedMediaType, UnsupportedMediaType)
            .ProducesProblems(StatusCodes.Status503ServiceUnavailable, ProblemTypes.Unavailable);

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> Inbound(
        HttpContext http, string? tenant, [FromServices] SmsConsent consent, [FromServices] IOptions<TwilioOptions> twilio,
        [FromServices] IConfiguration configuration, [FromServices] ILoggerFactory logs, CancellationToken cancellationToken)
    {
        if (!http.Request.HasFormContentType)
        {
            return TypedResults.Problem(statusCode: 415, type: UnsupportedMediaType, title: "Not a Twilio webhook.",
                detail: "Twilio posts its fields as application/x-www-form-urlencoded.");
        }

        var form = await http.Request.ReadFormAsync(cancellationToken);
        var settings = twilio.Value;
        var logger = logs.CreateLogger(LogCategory);
        if (string.IsNullOrEmpty(settings.AuthToken) || !TwilioSignature.IsValid(http.Request, form, settings.AuthToken, configuration))
        {
            LogRefused(logger, string.IsNullOrEmpty(settings.AuthToken) ? "no auth token is configured" : "the signature does not match");
            return TypedResults.Problem(statusCode: 401, type: ProblemTypes.Unauthorized, title: "The Twilio signature is missing or wrong.",
                detail: "X-Twilio-Signature must sign this URL and the form fields with the account's auth token; nothing was changed.");
        }

        var keyword = SmsKeywords.Parse(form["Body"]);
        var phone = RecipientFormats.NormalizePhone(form["From"]);
        var tenantId = string.IsNullOrWhiteSpace(tenant) ? null : tenant;
        switch (keyword)
        {
            case SmsKeyword.Stop when phone is not null:
                LogKeyword(logger, "STOP", await consent.OptOutAsync(phone, tenantId, SmsConsent.StopReason, cancellationToken));
                return TwiMl(null);
            case SmsKeyword.Start when phone is not null:
                LogKeyword(logger, "START", await consent.OptInAsync(phone, tenantId, cancellationToken));
                return TwiMl(null);
            case SmsKeyword.Help:
                return TwiMl(settings.HelpText);
            default:
                return TwiMl(null);
        }
    }

    /// <summary>A TwiML answer: <c>&lt;Response/&gt;</c>, or one message back.</summary>
    public static ContentHttpResult TwiMl(string? reply) => TypedResults.Text(
        reply is null
            ? """<?xml version="1.0" encoding="UTF-8"?><Response/>"""
            : $"""<?xml version="1.0" encoding="UTF-8"?><Response><Message>{SecurityElement.Escape(reply)}</Message></Response>""",
        "text/xml", System.Text.Encoding.UTF8);

    [LoggerMessage(1, LogLevel.Warning, "Refused a Twilio inbound webhook: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(2, LogLevel.Information, "Twilio inbound {Keyword} applied to {Recipients} recipients")]
    private static partial void LogKeyword(ILogger logger, string keyword, int recipients);
}
