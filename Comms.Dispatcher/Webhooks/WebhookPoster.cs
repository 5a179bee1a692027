using System.Net.Http.Headers;
using Comms.Core.Webhooks;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Webhooks;

/// <summary>
/// The answer to one signed POST: 2xx, or why not and whether trying again may help; <see cref="HeldUntil"/> when it was not
/// sent at all because the webhook bucket or the target host's breaker held it (a wait, not a failed attempt).
/// </summary>
public sealed record WebhookPostResult(bool Delivered, bool Transient, int? StatusCode, string? Error, TimeSpan? RetryAfter)
{
    public DateTimeOffset? HeldUntil { get; init; }
}

/// <summary>
/// One signed webhook POST (Standard Webhooks: <c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature</c>) with
/// <c>Comms:Webhooks:Timeout</c>, through <see cref="WebhookTargets.CreateHandler"/> (a target that resolves to a private
/// address when dialled is refused, permanently); redirects are not followed. Shared by the webhook channel
/// (<see cref="WebhookSender"/>) and the status webhooks (<see cref="StatusWebhookWorker"/>). A timeout, 408, 429 (with its
/// <c>Retry-After</c>) or 5xx is transient; any other non-2xx answer is permanent. The client is <see cref="HttpClientName"/>,
/// behind the <c>webhook</c> provider guards (a token bucket, and a circuit breaker per target host).
/// </summary>
public sealed partial class WebhookPoster(IHttpClientFactory clients, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookPoster> logger)
{
    /// <summary>The HTTP client (connect-time target checks, <c>Comms:Webhooks:Timeout</c>, the <c>webhook</c> provider guards per target host).</summary>
    public const string HttpClientName = "comms-webhooks";

    public async Task<WebhookPostResult> PostAsync(WebhookTarget target, string id, long timestamp, byte[] body, CancellationToken cancellationToken)
    {
        if (target.Secret is null)
        {
            LogUndecryptable(logger, target.Id);
            return new(false, false, null,
                $"Webhook endpoint {target.Id}: its secret cannot be decrypted with the configured Comms:Auth:SecretEncryptionKey (or a previous one); rotate it.", null);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(WebhookSignature.Key(target.Secret), id, timestamp, body));
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                return new(true, false, status, null, null);
            }

            var error = $"Webhook endpoint {target.Id} answered HTTP {status}.";
            LogRefusedAnswer(logger, target.Id, status);
            return status is 408 or 429 or >= 500
                ? new(false, true, status, error, RetryAfter(response))
                : new(false, false, status, error + (status is >= 300 and < 400 ? " Redirects are not followed." : ""), null);
        }
        catch (Exception ex) when (Throttling.ProviderHeldException.Find(ex) is { } held)
        {
            // The webhook bucket has no slot soon, or the target host's breaker is open: nothing was sent.
            return new(false, true, null, held.Reason, held.Until - time.GetUtcNow()) { HeldUntil = held.Until };
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebhookTargetRefusedException refused)
        {
            LogTargetRefused(logger, target.Id);
            return new(false, false, null, $"Webhook endpoint {target.Id}: {refused.Message}", null);
        }
        catch (HttpRequestException ex)
        {
            return new(false, true, null, $"Webhook endpoint {target.Id} could not be reached: {ex.Message}", null);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(false, true, null, $"Webhook endpoint {target.Id} did not answer within {options.Value.Timeout.TotalSeconds:0.#} s.", null);
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    [LoggerMessage(1, LogLevel.Warning, "Webhook endpoint {EndpointId} answered HTTP {Status}")]
    private static partial void LogRefusedAnswer(ILogger logger, Guid endpointId, int status);

    [LoggerMessage(3, LogLevel.Error, "The secret of webhook endpoint {EndpointId} cannot be decrypted with the configured Comms:Auth:SecretEncryptionKey (or a previous one); nothing is sent to it")]
    private static partial void LogUndecryptable(ILogger logger, Guid endpointId);

    [LoggerMessage(2, LogLevel.Warning, "Webhook endpoint {EndpointId} refused at connect time: it resolves to a non-public address")]
    private static partial void LogTargetRefused(ILogger logger, Guid endpointId);
}
