using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Push;

/// <summary>
/// Expo's push API: <c>POST /--/api/v2/push/send</c> with up to 100 notifications a request, one ticket each in the
/// same order. <c>DeviceNotRegistered</c> marks the token dead; a whole-request 408/429/5xx or a timeout is transient,
/// any other 4xx a permanent rejection of the request's messages.
/// </summary>
public sealed partial class ExpoPushProvider(
    IHttpClientFactory clients, ExpoReceipts receipts, IOptions<ExpoOptions> options, TimeProvider time, ILogger<ExpoPushProvider> logger) : IPushProvider
{
    public const string HttpClientName = "comms-push-expo";
    public const int MaxPerRequest = 100;

    public string DeviceProvider => "expo";

    public async Task<IReadOnlyList<PushResult>> SendAsync(IReadOnlyList<PushTarget> targets, CancellationToken cancellationToken)
    {
        var results = new List<PushResult>(targets.Count);
        foreach (var chunk in targets.Chunk(MaxPerRequest))
        {
            results.AddRange(await SendChunkAsync(chunk, cancellationToken));
        }

        return results;
    }

    private async Task<IReadOnlyList<PushResult>> SendChunkAsync(PushTarget[] chunk, CancellationToken cancellationToken)
    {
        var body = chunk.Select(t => new ExpoMessage(t.Token, PushPayload.TitleOf(t.Message), PushPayload.BodyOf(t.Message), PushPayload.DataOf(t.Message))).ToList();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/--/api/v2/push/send")
        {
            Content = JsonContent.Create(body, ExpoJson.Default.ListExpoMessage),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (!string.IsNullOrWhiteSpace(options.Value.AccessToken))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.AccessToken);
        }

        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var codes = ErrorCodes(text);
                LogRequestFailed(logger, PushPayload.Status(response.StatusCode), codes);
                PushResult failure = PushPayload.IsTransient(response.StatusCode)
                    ? new PushResult.Transient($"Expo answered {PushPayload.Status(response.StatusCode)} ({codes}).", PushPayload.RetryAfter(response.Headers, time.GetUtcNow()))
                    : new PushResult.Permanent($"{PushPayload.Rejected}: Expo answered {PushPayload.Status(response.StatusCode)} ({codes}).");
                return chunk.Select(_ => failure).ToList();
            }

            var tickets = JsonSerializer.Deserialize(text, ExpoJson.Default.ExpoTickets)?.Data;
            if (tickets is null || tickets.Count != chunk.Length)
            {
                return chunk.Select(_ => (PushResult)new PushResult.Transient($"Expo answered {tickets?.Count ?? 0} tickets for {chunk.Length} notifications.")).ToList();
            }

            await receipts.TrackAsync(chunk.Zip(tickets)
                .Where(p => p.Second.Status == "ok" && !string.IsNullOrEmpty(p.Second.Id))
                .Select(p => new ExpoPendingReceipt(p.Second.Id!, p.First.DeviceId, p.First.Token, time.GetUtcNow()))
                .ToList());
            return tickets.Select(Classify).ToList();
        }
        catch (Throttling.ProviderHeldException held)
        {
            return chunk.Select(_ => (PushResult)new PushResult.Held(held.Until, held.Reason)).ToList();
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogRequestFailed(logger, "no answer", ex.GetType().Name);
            return chunk.Select(_ => (PushResult)new PushResult.Transient($"Expo did not answer: {ex.GetType().Name}.")).ToList();
        }
    }

    private static PushResult Classify(ExpoTicket ticket)
    {
        if (string.Equals(ticket.Status, "ok", StringComparison.Ordinal))
        {
            return new PushResult.Ok(ticket.Id);
        }

        var error = ticket.Details?.Error ?? "unknown";
        return error switch
        {
            "DeviceNotRegistered" => new PushResult.DeadToken("Expo DeviceNotRegistered"),
            "MessageRateExceeded" => new PushResult.Transient("Expo MessageRateExceeded: too many notifications to this device."),
            "InvalidCredentials" or "MismatchSenderId" => new PushResult.Permanent($"{PushPayload.ConfigError}: Expo {error} (the project's push credentials)."),
            _ => new PushResult.Permanent($"{PushPayload.Rejected}: Expo {error}."),
        };
    }

    /// <summary>The <c>errors[].code</c> of a whole-request failure (never the messages, which may quote tokens).</summary>
    private static string ErrorCodes(string text)
    {
        try
        {
            var codes = JsonSerializer.Deserialize(text, ExpoJson.Default.ExpoErrors)?.Errors?.Select(e => e.Code).Where(c => c is not null).ToList();
            return codes is { Count: > 0 } ? string.Join(", ", codes) : "no error code";
        }
        catch (JsonException)
        {
            return "no error code";
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "An Expo push request failed: {Status} ({Codes})")]
    private static partial void LogRequestFailed(ILogger logger, string status, string codes);
}

public sealed record ExpoMessage(
    [property: JsonPropertyName("to")] string To,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("body")] string? Body,
    [property: JsonPropertyName("data")] Dictionary<string, string> Data);

public sealed record ExpoTickets([property: JsonPropertyName("data")] List<ExpoTicket>? Data);

public sealed record ExpoTicket(
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("details")] ExpoTicketDetails? Details);

public sealed record ExpoTicketDetails([property: JsonPropertyName("error")] string? Error);

public sealed record ExpoErrors([property: JsonPropertyName("errors")] List<ExpoError>? Errors);

public sealed record ExpoError([property: JsonPropertyName("code")] string? Code, [property: JsonPropertyName("message")] string? Message);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<ExpoMessage>))]
[JsonSerializable(typeof(ExpoTickets))]
[JsonSerializable(typeof(ExpoErrors))]
internal sealed partial class ExpoJson : JsonSerializerContext;
