using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Comms.Core.Data;
using Comms.Core.Messages;
using Comms.Core.Webhooks;
using Comms.Dispatcher.Sending;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Webhooks;

/// <summary>
/// Delivers webhook-channel messages: a JSON POST (see <see cref="Payload"/>) to each of the tenant's enabled endpoints
/// subscribed to the message's event, signed per Standard Webhooks (<c>webhook-id</c> = the message id, the same on
/// every attempt so receivers can deduplicate; <c>webhook-timestamp</c>; <c>webhook-signature</c>), with
/// <c>Comms:Webhooks:Timeout</c>. 2xx from every endpoint is sent; a timeout, 408, 429 (honouring <c>Retry-After</c>) or 5xx
/// from any is a transient failure (the whole message is retried by the sending worker's policy, so endpoints that had
/// answered 2xx see it again with the same <c>webhook-id</c>); any other answer (3xx: redirects are not followed; 4xx) is
/// permanent. Every connection goes through <see cref="WebhookTargets.ConnectAsync"/>: a target that resolves to a
/// private address when it is dialled (DNS rebinding) is refused, permanently.
/// </summary>
public sealed partial class WebhookSender(
    WebhookEndpointService endpoints,
    IDbContextFactory<CommsDbContext> contexts,
    IHttpClientFactory clients,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookSender> logger) : IChannelSender
{
    public const string PayloadType = "notification";

    /// <summary>The HTTP client (connect-time target checks, <c>Comms:Webhooks:Timeout</c>, the <c>webhook</c> provider guards per target host).</summary>
    public const string HttpClientName = "comms-webhooks";

    public string Channel => Core.Messages.Channel.Webhook;

    public async Task<SendOutcome> SendAsync(ClaimedMessage message, string leaseOwner, CancellationToken cancellationToken)
    {
        string? eventName = null;
        if (message.EventId is { } eventId)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            eventName = await db.Events.AsNoTracking().Where(e => e.Id == eventId).Select(e => e.Name).FirstOrDefaultAsync(cancellationToken);
        }

        var targets = await endpoints.TargetsAsync(message.TenantId, eventName, cancellationToken);
        if (targets.Count == 0)
        {
            return new SendOutcome.Permanent($"No enabled webhook endpoint of the tenant receives '{eventName ?? message.TemplateName}'.");
        }

        JsonNode? content;
        try
        {
            content = JsonNode.Parse(message.Content.Json ?? "null");
        }
        catch (JsonException ex)
        {
            return new SendOutcome.Permanent($"The rendered webhook body is not JSON: {ex.Message}");
        }

        var now = time.GetUtcNow();
        var body = Encoding.UTF8.GetBytes(Payload(message, eventName, content, now).ToJsonString());
        var id = "msg_" + message.Id.ToString("N");
        var outcomes = new List<SendOutcome>(targets.Count);
        foreach (var target in targets)
        {
            outcomes.Add(await PostAsync(target, id, now.ToUnixTimeSeconds(), body, cancellationToken));
        }

        return outcomes.OfType<SendOutcome.Held>().MaxBy(h => h.Until) as SendOutcome
               ?? outcomes.OfType<SendOutcome.Transient>().FirstOrDefault() as SendOutcome
               ?? outcomes.OfType<SendOutcome.Permanent>().FirstOrDefault() as SendOutcome
               ?? new SendOutcome.Sent(id);
    }

    /// <summary>
    /// The body: <c>{ "type": "notification", "timestamp": ISO 8601, "data": { messageId, eventId, event, category,
    /// recipient: { externalId }, template: { name, version }, locale, content } }</c>, where <c>content</c> is the
    /// message's rendered webhook template (its <c>json</c>), as JSON.
    /// </summary>
    public static JsonObject Payload(ClaimedMessage message, string? eventName, JsonNode? content, DateTimeOffset now) => new()
    {
        ["type"] = PayloadType,
        ["timestamp"] = now.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
        ["data"] = new JsonObject
        {
            ["messageId"] = message.Id,
            ["eventId"] = message.EventId,
            ["event"] = eventName,
            ["category"] = message.Category,
            ["recipient"] = new JsonObject { ["externalId"] = message.RecipientExternalId },
            ["template"] = new JsonObject { ["name"] = message.TemplateName, ["version"] = message.TemplateVersion },
            ["locale"] = message.Locale,
            ["content"] = content,
        },
    };

    private async Task<SendOutcome> PostAsync(WebhookTarget target, string id, long timestamp, byte[] body, CancellationToken cancellationToken)
    {
        if (target.Secret is null)
        {
            LogUndecryptable(logger, target.Id);
            return new SendOutcome.Permanent(
                $"Webhook endpoint {target.Id}: its secret cannot be decrypted with the configured Comms:Auth:SecretEncryptionKey (or a previous one); rotate it.");
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
                return new SendOutcome.Sent(id);
            }

            var error = $"Webhook endpoint {target.Id} answered HTTP {status}.";
            LogRefusedAnswer(logger, target.Id, status);
            return status is 408 or 429 or >= 500
                ? new SendOutcome.Transient(error, RetryAfter(response))
                : new SendOutcome.Permanent(error + (status is >= 300 and < 400 ? " Redirects are not followed." : ""));
        }
        catch (Throttling.ProviderHeldException held)
        {
            // The target host's breaker is open, or the webhook bucket has no slot soon: the message waits.
            return new SendOutcome.Held(held.Until, held.Reason);
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebhookTargetRefusedException refused)
        {
            LogTargetRefused(logger, target.Id);
            return new SendOutcome.Permanent($"Webhook endpoint {target.Id}: {refused.Message}");
        }
        catch (HttpRequestException ex)
        {
            return new SendOutcome.Transient($"Webhook endpoint {target.Id} could not be reached: {ex.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendOutcome.Transient($"Webhook endpoint {target.Id} did not answer within {options.Value.Timeout.TotalSeconds:0.#} s.");
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
