using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Push;

/// <summary>
/// FCM HTTP v1: one <c>POST /v1/projects/{project}/messages:send</c> per token, many in flight. Errors are classified on
/// <c>error.details[].errorCode</c>: <c>UNREGISTERED</c> and a token-level <c>INVALID_ARGUMENT</c> mark the token dead;
/// <c>QUOTA_EXCEEDED</c>, <c>UNAVAILABLE</c>, <c>INTERNAL</c> (and 408/429/5xx, timeouts) are transient;
/// <c>THIRD_PARTY_AUTH_ERROR</c> and <c>SENDER_ID_MISMATCH</c> are the deployment's configuration, never pruned.
/// </summary>
public sealed partial class FcmPushProvider(
    IHttpClientFactory clients, FcmCredentials credentials, IOptions<FcmOptions> options, TimeProvider time, ILogger<FcmPushProvider> logger)
    : IPushProvider
{
    public const string HttpClientName = "comms-push-fcm";

    public string DeviceProvider => "fcm";

    public async Task<IReadOnlyList<PushResult>> SendAsync(IReadOnlyList<PushTarget> targets, CancellationToken cancellationToken)
    {
        var results = new PushResult[targets.Count];
        string accessToken;
        try
        {
            accessToken = await credentials.AccessTokenAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The token endpoint is away, or refused the key (logged by type only: the answer may quote the key's id).
            LogTokenFailed(logger, ex.GetType().Name);
            return targets.Select(_ => (PushResult)new PushResult.Transient($"No FCM access token: {ex.GetType().Name}.")).ToList();
        }

        var client = clients.CreateClient(HttpClientName);
        await Parallel.ForEachAsync(Enumerable.Range(0, targets.Count),
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelRequests, CancellationToken = cancellationToken },
            async (i, ct) => results[i] = await SendOneAsync(client, accessToken, targets[i], ct));
        return results;
    }

    private async Task<PushResult> SendOneAsync(HttpClient client, string accessToken, PushTarget target, CancellationToken cancellationToken)
    {
        var content = target.Message.Content;
        var collapseKey = content.CollapseKey;
        var message = new FcmMessage(
            target.Token,
            new FcmNotification(PushPayload.TitleOf(target.Message), PushPayload.BodyOf(target.Message)),
            PushPayload.DataOf(target.Message).Where(p => !IsReservedKey(p.Key)).ToDictionary(StringComparer.Ordinal),
            collapseKey is null ? null : new FcmAndroid(collapseKey),
            collapseKey is null ? null : new FcmApns(new Dictionary<string, string>(StringComparer.Ordinal) { ["apns-collapse-id"] = collapseKey }));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/projects/{Uri.EscapeDataString(credentials.ProjectId)}/messages:send")
        {
            Content = JsonContent.Create(new FcmRequest(message), FcmJson.Default.FcmRequest),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);

        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return new PushResult.Ok(Deserialize(text, FcmJson.Default.FcmSent)?.Name);
            }

            var result = Classify(response.StatusCode, Deserialize(text, FcmJson.Default.FcmErrorBody)?.Error, PushPayload.RetryAfter(response.Headers, time.GetUtcNow()));
            LogRequestFailed(logger, PushPayload.Status(response.StatusCode), result.GetType().Name);
            return result;
        }
        catch (Throttling.ProviderHeldException held)
        {
            return new PushResult.Held(held.Until, held.Reason);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogRequestFailed(logger, "no answer", ex.GetType().Name);
            return new PushResult.Transient($"FCM did not answer: {ex.GetType().Name}.");
        }
    }

    /// <summary>Classifies an FCM error answer (public for unit tests of the table in PROVIDERS.md).</summary>
    public static PushResult Classify(HttpStatusCode status, FcmError? error, TimeSpan? retryAfter)
    {
        var details = error?.Details ?? [];
        var errorCode = details.Select(d => d.ErrorCode).FirstOrDefault(c => c is not null);
        var http = PushPayload.Status(status);
        var described = $"FCM answered {http} {errorCode ?? error?.Status ?? "without an error code"}";
        switch (errorCode)
        {
            case "UNREGISTERED":
                return new PushResult.DeadToken("FCM UNREGISTERED");
            case "INVALID_ARGUMENT":
                // A bad token, unless the answer names fields of the payload other than the token.
                var fields = details.SelectMany(d => d.FieldViolations ?? []).Select(v => v.Field).ToList();
                return fields.All(f => f is "message.token" or null)
                    ? new PushResult.DeadToken("FCM INVALID_ARGUMENT (token)")
                    : new PushResult.Permanent($"{PushPayload.Rejected}: {described} ({string.Join(", ", fields)}).");
            case "QUOTA_EXCEEDED" or "UNAVAILABLE" or "INTERNAL":
                return new PushResult.Transient(described + ".", retryAfter);
            case "THIRD_PARTY_AUTH_ERROR" or "SENDER_ID_MISMATCH":
                return new PushResult.Permanent($"{PushPayload.ConfigError}: {described}.");
        }

        if (PushPayload.IsTransient(status))
        {
            return new PushResult.Transient(described + ".", retryAfter);
        }

        return status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
            ? new PushResult.Permanent($"{PushPayload.ConfigError}: {described} (the service account's access to the project).")
            : new PushResult.Permanent($"{PushPayload.Rejected}: {described}.");
    }

    /// <summary>Data keys FCM refuses: <c>from</c>, <c>gcm</c> and any starting with <c>google</c>.</summary>
    private static bool IsReservedKey(string key) =>
        key is "from" or "gcm" || key.StartsWith("google", StringComparison.OrdinalIgnoreCase);

    private static T? Deserialize<T>(string text, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return string.IsNullOrWhiteSpace(text) ? default : JsonSerializer.Deserialize(text, type);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "An FCM send failed: {Status} ({Result})")]
    private static partial void LogRequestFailed(ILogger logger, string status, string result);

    [LoggerMessage(2, LogLevel.Warning, "No FCM access token could be had ({Problem})")]
    private static partial void LogTokenFailed(ILogger logger, string problem);
}

public sealed record FcmRequest([property: JsonPropertyName("message")] FcmMessage Message);

public sealed record FcmMessage(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("notification")] FcmNotification Notification,
    [property: JsonPropertyName("data")] Dictionary<string, string> Data,
    [property: JsonPropertyName("android")] FcmAndroid? Android,
    [property: JsonPropertyName("apns")] FcmApns? Apns);

public sealed record FcmNotification([property: JsonPropertyName("title")] string? Title, [property: JsonPropertyName("body")] string? Body);

public sealed record FcmAndroid([property: JsonPropertyName("collapse_key")] string CollapseKey);

public sealed record FcmApns([property: JsonPropertyName("headers")] Dictionary<string, string> Headers);

public sealed record FcmSent([property: JsonPropertyName("name")] string? Name);

public sealed record FcmErrorBody([property: JsonPropertyName("error")] FcmError? Error);

public sealed record FcmError(
    [property: JsonPropertyName("code")] int? Code,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("details")] List<FcmErrorDetail>? Details);

public sealed record FcmErrorDetail(
    [property: JsonPropertyName("@type")] string? Type,
    [property: JsonPropertyName("errorCode")] string? ErrorCode,
    [property: JsonPropertyName("fieldViolations")] List<FcmFieldViolation>? FieldViolations);

public sealed record FcmFieldViolation([property: JsonPropertyName("field")] string? Field, [property: JsonPropertyName("description")] string? Description);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FcmRequest))]
[JsonSerializable(typeof(FcmSent))]
[JsonSerializable(typeof(FcmErrorBody))]
internal sealed partial class FcmJson : JsonSerializerContext;
