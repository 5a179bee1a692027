using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Comms.Core.Messages;

namespace Comms.Dispatcher.Push;

/// <summary>What every push provider sends of a message, and how HTTP answers classify.</summary>
public static class PushPayload
{
    /// <summary>A permanent rejection by the provider of this message (its payload or its token).</summary>
    public const string Rejected = "COMMS_PROVIDER_REJECTED";

    /// <summary>The provider refused this deployment's credentials or configuration: fix the settings, nothing is pruned.</summary>
    public const string ConfigError = "COMMS_PROVIDER_CONFIG";

    /// <summary>The data of a notification: the template's <c>data</c>, the link, and our message id (<c>messageId</c>).</summary>
    public static Dictionary<string, string> DataOf(ClaimedMessage message)
    {
        var data = new Dictionary<string, string>(message.Content.Data ?? [], StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(message.Content.Link))
        {
            data.TryAdd("link", message.Content.Link);
        }

        data["messageId"] = message.Id.ToString();
        return data;
    }

    public static string? TitleOf(ClaimedMessage message) => message.Content.Title ?? message.Content.Subject;

    public static string? BodyOf(ClaimedMessage message) => message.Content.Body ?? message.Content.Text;

    /// <summary>Timeouts, 408, 429 and 5xx are worth another attempt.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
    {
        if (headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        if (retryAfter.Delta is { } delta)
        {
            return delta;
        }

        return retryAfter.Date is { } date ? (date > now ? date - now : TimeSpan.Zero) : null;
    }

    public static string Status(HttpStatusCode status) => ((int)status).ToString(CultureInfo.InvariantCulture);
}
