using Comms.Api.OpenApi;
using Comms.Core.Feedback;
using Microsoft.Extensions.Options;

namespace Comms.Api.Feedback;

/// <summary>
/// Provider-facing delivery reports (SPEC S4 feedback), under <c>/webhooks/</c>: no API key, each request proves itself
/// with the provider's signature (else 401 and nothing changes). Like the other routes outside <c>/v1</c>, <c>/me</c> and
/// <c>/sys</c>, they are not in the OpenAPI document: providers call them, not API clients.
/// </summary>
public static partial class FeedbackWebhooks
{
    internal const string LogCategory = "Comms.Api.Feedback";

    public static IHostApplicationBuilder AddFeedbackWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SendGridEventWebhookOptions>().BindConfiguration(SendGridEventWebhookOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SendGridEventKey>();
        builder.Services.AddSingleton<FeedbackService>();
        return builder;
    }

    public static IEndpointRouteBuilder MapFeedbackWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/webhooks").AllowAnonymous().ExcludeFromDescription();
        group.MapPost("/sendgrid/events", SendGridEvents.HandleAsync);
        group.MapPost("/twilio/status", TwilioStatus.HandleAsync);
        return app;
    }

    internal static IResult Unsigned(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, type: ProblemTypes.Unauthorized,
            title: "The callback's signature is missing or wrong; nothing was changed.", detail: detail);

    [LoggerMessage(1, LogLevel.Warning, "{Provider} callback refused: {Why}")]
    internal static partial void LogRefused(ILogger logger, string provider, string why);

    [LoggerMessage(2, LogLevel.Information, "{Provider} callback: {Reports} report(s), {Changed} status change(s), {Unknown} for no message of ours")]
    internal static partial void LogApplied(ILogger logger, string provider, int reports, int changed, int unknown);
}

/// <summary>The configured SendGrid Event Webhook key, imported once (null when none is configured).</summary>
public sealed class SendGridEventKey(IOptions<SendGridEventWebhookOptions> options) : IDisposable
{
    private readonly System.Security.Cryptography.ECDsa? _key =
        string.IsNullOrWhiteSpace(options.Value.EventWebhookPublicKey) ? null : SendGridEventSignature.ImportPublicKey(options.Value.EventWebhookPublicKey);

    public System.Security.Cryptography.ECDsa? Key => _key;

    public void Dispose() => _key?.Dispose();
}
