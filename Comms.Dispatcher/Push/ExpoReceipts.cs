using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Comms.Dispatcher.Push;

/// <summary>An accepted Expo notification whose receipt is still to be read.</summary>
public sealed record ExpoPendingReceipt(
    [property: JsonPropertyName("t")] string TicketId,
    [property: JsonPropertyName("d")] Guid DeviceId,
    [property: JsonPropertyName("k")] string Token,
    [property: JsonPropertyName("s")] DateTimeOffset SentAt);

/// <summary>
/// Expo's receipts, read <see cref="ExpoOptions.ReceiptsAfter"/> after the tickets: a receipt's <c>DeviceNotRegistered</c>
/// prunes the device like a ticket's. The pending tickets wait in a Redis sorted set scored by when they are due —
/// best effort, like everything in Redis: a lost entry only delays the pruning to the next send to that device.
/// </summary>
public sealed partial class ExpoReceipts(
    IConnectionMultiplexer redis, IHttpClientFactory clients, PushDevices devices, IOptions<ExpoOptions> options, TimeProvider time,
    ILogger<ExpoReceipts> logger)
{
    public const string Key = "comms:push:expo:receipts";
    public const int MaxIdsPerRequest = 300;

    /// <summary>Receipts are kept by Expo for a day; a ticket without one by then is let go.</summary>
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromHours(23);

    private const string PopDue = """
        local items = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
        if #items > 0 then redis.call('ZREM', KEYS[1], unpack(items)) end
        return items
        """;

    /// <summary>Remembers accepted tickets; never fails the send that produced them.</summary>
    public async Task TrackAsync(IReadOnlyCollection<ExpoPendingReceipt> receipts)
    {
        if (receipts.Count == 0)
        {
            return;
        }

        try
        {
            await AddAsync(receipts, time.GetUtcNow() + options.Value.ReceiptsAfter);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogTrackFailed(logger, receipts.Count, ex.GetType().Name);
        }
    }

    /// <summary>Reads the receipts of one round of due tickets; returns how many tickets it took.</summary>
    public async Task<int> CheckDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var popped = (RedisResult[]?)await redis.GetDatabase().ScriptEvaluateAsync(
            PopDue, [Key], [now.ToUnixTimeMilliseconds(), MaxIdsPerRequest]) ?? [];
        var due = popped.Select(r => JsonSerializer.Deserialize((string)r!, ExpoReceiptJson.Default.ExpoPendingReceipt)).OfType<ExpoPendingReceipt>().ToList();
        if (due.Count == 0)
        {
            return 0;
        }

        Dictionary<string, ExpoTicket>? receipts = null;
        try
        {
            using var response = await clients.CreateClient(ExpoPushProvider.HttpClientName).PostAsJsonAsync(
                "/--/api/v2/push/getReceipts", new ExpoReceiptRequest(due.Select(d => d.TicketId).ToList()), ExpoReceiptJson.Default.ExpoReceiptRequest,
                cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                receipts = (await response.Content.ReadFromJsonAsync(ExpoReceiptJson.Default.ExpoReceiptAnswer, cancellationToken))?.Data;
            }
            else
            {
                LogCheckFailed(logger, PushPayload.Status(response.StatusCode));
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or Throttling.ProviderHeldException
                                       || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogCheckFailed(logger, ex.GetType().Name);
        }

        var dead = new List<(Guid, string)>();
        var notReady = new List<ExpoPendingReceipt>();
        foreach (var ticket in due)
        {
            if (receipts is not null && receipts.TryGetValue(ticket.TicketId, out var receipt))
            {
                if (receipt.Details?.Error == "DeviceNotRegistered")
                {
                    dead.Add((ticket.DeviceId, ticket.Token));
                }
            }
            else if (now - ticket.SentAt < GiveUpAfter)
            {
                notReady.Add(ticket);
            }
        }

        var pruned = await devices.PruneAsync(dead, cancellationToken);
        if (pruned > 0)
        {
            LogPruned(logger, pruned);
        }

        if (notReady.Count > 0)
        {
            await AddAsync(notReady, now + options.Value.ReceiptPollInterval);
        }

        return due.Count;
    }

    private Task AddAsync(IEnumerable<ExpoPendingReceipt> receipts, DateTimeOffset dueAt) =>
        redis.GetDatabase().SortedSetAddAsync(Key,
            receipts.Select(r => new SortedSetEntry(JsonSerializer.Serialize(r, ExpoReceiptJson.Default.ExpoPendingReceipt), dueAt.ToUnixTimeMilliseconds())).ToArray());

    [LoggerMessage(1, LogLevel.Warning, "Could not remember {Count} Expo tickets for their receipts ({Problem}); their dead tokens are pruned at the next send")]
    private static partial void LogTrackFailed(ILogger logger, int count, string problem);

    [LoggerMessage(2, LogLevel.Warning, "Reading Expo receipts failed ({Problem}); asking again later")]
    private static partial void LogCheckFailed(ILogger logger, string problem);

    [LoggerMessage(3, LogLevel.Information, "Removed {Count} push devices whose Expo receipts said DeviceNotRegistered")]
    private static partial void LogPruned(ILogger logger, int count);
}

/// <summary>Reads due Expo receipts every <see cref="ExpoOptions.ReceiptPollInterval"/> (any replica; a ticket is popped by one).</summary>
public sealed partial class ExpoReceiptWorker(ExpoReceipts receipts, IOptions<ExpoOptions> options, TimeProvider time, ILogger<ExpoReceiptWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await receipts.CheckDueAsync(stoppingToken) == ExpoReceipts.MaxIdsPerRequest)
                {
                    // A full round: more may be due.
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogRoundFailed(logger, ex.GetType().Name);
            }

            try
            {
                await Task.Delay(options.Value.ReceiptPollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "A round of Expo receipts failed ({Problem})")]
    private static partial void LogRoundFailed(ILogger logger, string problem);
}

public sealed record ExpoReceiptRequest([property: JsonPropertyName("ids")] List<string> Ids);

public sealed record ExpoReceiptAnswer([property: JsonPropertyName("data")] Dictionary<string, ExpoTicket>? Data);

[JsonSerializable(typeof(ExpoPendingReceipt))]
[JsonSerializable(typeof(ExpoReceiptRequest))]
[JsonSerializable(typeof(ExpoReceiptAnswer))]
internal sealed partial class ExpoReceiptJson : JsonSerializerContext;
