using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Comms.Core.Email;
using Comms.Core.Messages;
using Comms.Dispatcher.Push;
using Comms.Dispatcher.Sending;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Comms.Dispatcher.Email;

/// <summary>
/// Sends email through SendGrid's v3 Mail Send API (<c>POST /v3/mail/send</c>), many recipients a request
/// (<see cref="SendGridWire"/>), several requests in flight. 202 is sent (the request's <c>X-Message-Id</c> becomes each
/// message's provider id); 429 (after <c>Retry-After</c> / <c>X-RateLimit-Reset</c>), 408, 5xx and timeouts are transient;
/// 400 and 413 on a request of several messages are split in halves until the rejected ones stand alone, so a bad
/// personalization fails only itself; any other 4xx is permanent, with SendGrid's <c>errors[].message</c>.
/// </summary>
public sealed partial class SendGridEmailProvider(
    IHttpClientFactory clients, IOptions<SendGridOptions> options, IOptions<EmailOptions> email, TimeProvider time,
    ILogger<SendGridEmailProvider> logger)
{
    public const string HttpClientName = EmailProviders.SendGrid;
    public const string SendPath = "/v3/mail/send";

    private readonly MailboxAddress _from = MailboxAddress.Parse(email.Value.From);
    private readonly MailboxAddress _unsubscribeMailto = email.Value.UnsubscribeMailbox();

    public async Task<IReadOnlyList<SendOutcome>> SendAsync(IReadOnlyList<ClaimedMessage> messages, CancellationToken cancellationToken)
    {
        var outcomes = new SendOutcome[messages.Count];
        var index = new Dictionary<Guid, int>(messages.Count);
        var valid = new List<ClaimedMessage>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            index[messages[i].Id] = i;
            if (string.IsNullOrEmpty(messages[i].Address) || !MailboxAddress.TryParse(messages[i].Address, out _))
            {
                outcomes[i] = new SendOutcome.Permanent($"{PushPayload.Rejected}: the address is not a valid email address.") { Provider = EmailProviders.SendGrid, Response = "not sent (invalid address)" };
            }
            else
            {
                valid.Add(messages[i]);
            }
        }

        // Bodies are built here one after another and each request goes out as soon as its body is ready (up to
        // MaxParallelRequests in flight): the next body is built while the previous requests wait for their slots and
        // answers, instead of every body of the batch being built at once before the first request leaves.
        var requests = SendGridWire.Plan(valid, options.Value.MaxPersonalizationsPerRequest);
        using var inFlight = new SemaphoreSlim(options.Value.MaxParallelRequests);
        var sends = new List<Task>(requests.Count);
        try
        {
            foreach (var request in requests)
            {
                await inFlight.WaitAsync(cancellationToken);
                var body = Serialize(request);
                sends.Add(SendAndRecordAsync(request, body));
            }
        }
        finally
        {
            await Task.WhenAll(sends);
        }

        return outcomes;

        async Task SendAndRecordAsync(List<ClaimedMessage> request, byte[] body)
        {
            try
            {
                foreach (var (message, outcome) in await SendRequestAsync(request, body, cancellationToken))
                {
                    outcomes[index[message.Id]] = outcome;
                }
            }
            finally
            {
                inFlight.Release();
            }
        }
    }

    /// <summary>The UTF-8 JSON body of one request.</summary>
    private byte[] Serialize(List<ClaimedMessage> messages) =>
        JsonSerializer.SerializeToUtf8Bytes(SendGridWire.Body(messages, _from, _unsubscribeMailto), SendGridJson.Default.SendGridMail);

    /// <summary>One request; a 400/413 for several messages is split in halves so the rejected ones fail alone.</summary>
    private async Task<List<(ClaimedMessage Message, SendOutcome Outcome)>> SendRequestAsync(
        List<ClaimedMessage> messages, byte[]? body, CancellationToken cancellationToken)
    {
        var (status, outcome) = await PostAsync(messages, body ?? Serialize(messages), cancellationToken);
        if (messages.Count > 1 && status is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge)
        {
            LogSplit(logger, messages.Count, (int)status);
            var half = messages.Count / 2;
            var halves = await Task.WhenAll(
                SendRequestAsync(messages[..half], null, cancellationToken), SendRequestAsync(messages[half..], null, cancellationToken));
            return [.. halves[0], .. halves[1]];
        }

        return [.. messages.Select(m => (m, outcome))];
    }

    private async Task<(HttpStatusCode? Status, SendOutcome Outcome)> PostAsync(List<ClaimedMessage> messages, byte[] body, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var request = new HttpRequestMessage(HttpMethod.Post, SendPath) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.ApiKey);
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            var status = response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                var id = response.Headers.TryGetValues("X-Message-Id", out var ids) ? ids.FirstOrDefault() : null;
                return (status, new SendOutcome.Sent(id) { Provider = EmailProviders.SendGrid, StatusCode = (int)status, Response = SendOutcome.Http(status) });
            }

            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var code = ((int)status).ToString(CultureInfo.InvariantCulture);
            LogRejected(logger, (int)status, messages.Count);
            if (status == HttpStatusCode.TooManyRequests)
            {
                return (status, new SendOutcome.Transient($"SendGrid answered 429 (rate limited): {Summary(text, settings.ApiKey)}", RetryAfter(response)) with
                {
                    Provider = EmailProviders.SendGrid, StatusCode = (int)status, Response = SendOutcome.Http(status),
                });
            }

            if (PushPayload.IsTransient(status))
            {
                return (status, new SendOutcome.Transient($"SendGrid answered {code}: {Summary(text, settings.ApiKey)}", RetryAfter(response)) with
                {
                    Provider = EmailProviders.SendGrid, StatusCode = (int)status, Response = SendOutcome.Http(status),
                });
            }

            var kind = status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? PushPayload.ConfigError : PushPayload.Rejected;
            return (status, new SendOutcome.Permanent($"{kind}: SendGrid answered {code}: {Summary(text, settings.ApiKey)}")
            {
                Provider = EmailProviders.SendGrid, StatusCode = (int)status, Response = SendOutcome.Http(status),
            });
        }
        catch (Exception ex) when (Throttling.ProviderHeldException.Find(ex) is { } held)
        {
            // SendGrid's bucket has no slot soon or its breaker is open: this request was not sent, its messages wait
            // (the other requests of the batch keep their own outcomes).
            return (null, new SendOutcome.Held(held.Until, held.Reason));
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var problem = ex is OperationCanceledException ? "timed out" : "no answer";
            LogNoAnswer(logger, problem, messages.Count);
            return (null, new SendOutcome.Transient($"SendGrid did not answer ({problem}: {ex.GetType().Name}).")
            {
                Provider = EmailProviders.SendGrid, Response = $"no answer ({problem})",
            });
        }
    }

    /// <summary><c>Retry-After</c>, else SendGrid's <c>X-RateLimit-Reset</c> (unix seconds).</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var now = time.GetUtcNow();
        if (PushPayload.RetryAfter(response.Headers, now) is { } retryAfter)
        {
            return retryAfter;
        }

        return response.Headers.TryGetValues("X-RateLimit-Reset", out var values)
               && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var reset)
            ? TimeSpan.FromTicks(Math.Max(0, (DateTimeOffset.FromUnixTimeSeconds(reset) - now).Ticks))
            : null;
    }

    /// <summary>SendGrid's <c>errors[].message</c> (with the field), short; never the API key.</summary>
    public static string Summary(string body, string? apiKey)
    {
        string summary;
        try
        {
            var errors = JsonSerializer.Deserialize(body, SendGridJson.Default.SendGridErrors)?.Errors?
                .Where(e => !string.IsNullOrWhiteSpace(e.Message))
                .Select(e => string.IsNullOrWhiteSpace(e.Field) ? e.Message! : $"{e.Message} ({e.Field})")
                .Distinct(StringComparer.Ordinal)
                .ToList();
            summary = errors is { Count: > 0 } ? string.Join("; ", errors) : "no error message";
        }
        catch (JsonException)
        {
            summary = "no error message";
        }

        if (!string.IsNullOrEmpty(apiKey))
        {
            summary = summary.Replace(apiKey, "***", StringComparison.Ordinal);
        }

        return summary.Length > 500 ? summary[..500] + "…" : summary;
    }

    [LoggerMessage(1, LogLevel.Warning, "A SendGrid request of {Count} messages was answered {Status}")]
    private static partial void LogRejected(ILogger logger, int status, int count);

    [LoggerMessage(2, LogLevel.Information, "SendGrid answered {Status} to a request of {Count} messages; sending each half alone so a rejected one fails alone")]
    private static partial void LogSplit(ILogger logger, int count, int status);

    [LoggerMessage(3, LogLevel.Warning, "A SendGrid request of {Count} messages got no answer ({Problem})")]
    private static partial void LogNoAnswer(ILogger logger, string problem, int count);
}
