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
/// permanent. The POST itself is <see cref="WebhookPoster"/>'s (shared with the status webhooks): every connection goes through
/// <see cref="WebhookTargets.ConnectAsync"/>, so a target that resolves to a private address when it is dialled (DNS rebinding) is refused, permanently.
/// </summary>
public sealed class WebhookSender(
    WebhookEndpointService endpoints,
    IDbContextFactory<CommsDbContext> contexts,
    WebhookPoster poster,
    TimeProvider time) : IChannelSender
{
    public const string PayloadType = "notification";

    public string Channel => Core.Messages.Channel.Webhook;

    public string Provider => AttemptProviders.Webhook;

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

        return outcomes.OfType<SendOutcome.Transient>().FirstOrDefault() as SendOutcome
               ?? outcomes.OfType<SendOutcome.Permanent>().FirstOrDefault() as SendOutcome
               ?? outcomes.OfType<SendOutcome.Sent>().FirstOrDefault() as SendOutcome
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
        var result = await poster.PostAsync(target, id, timestamp, body, cancellationToken);
        SendOutcome outcome = result switch
        {
            { Delivered: true } => new SendOutcome.Sent(id),
            { HeldUntil: { } until } => new SendOutcome.Held(until, result.Error!),
            { Transient: true } => new SendOutcome.Transient(result.Error!, result.RetryAfter),
            _ => new SendOutcome.Permanent(result.Error!),
        };

        // The attempt's record: the endpoint's status code, never its body or the error text.
        return outcome with
        {
            StatusCode = result.StatusCode,
            Response = result.StatusCode is { } code ? SendOutcome.Http((System.Net.HttpStatusCode)code) : "no answer",
        };
    }
}
