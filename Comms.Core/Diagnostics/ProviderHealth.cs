using System.Globalization;
using StackExchange.Redis;

namespace Comms.Core.Diagnostics;

/// <summary>One dispatcher's circuit breaker of one provider (or webhook target host), as it published it to Redis.</summary>
/// <param name="State"><c>closed</c>, <c>open</c> or <c>half-open</c>.</param>
/// <param name="LastFailure">The last transient failure as safe text (<c>HTTP 503</c>, <c>HttpRequestException</c>), or null.</param>
public sealed record BreakerReport(
    string Provider, string? Target, string State, DateTimeOffset Since, string? LastFailure, string Dispatcher, DateTimeOffset Updated)
{
    public string Name => Target is null ? Provider : $"{Provider} ({Target})";
}

/// <summary>A provider's attempts over a while, every dispatcher together: accepted, rejected (4xx), failed (transient), held (not made).</summary>
public sealed record ProviderThroughput(string Provider, long Accepted, long Rejected, long Failed, long Held);

/// <summary>
/// Where the dispatchers publish their providers' health in Redis, and how the console reads it back.
/// <list type="bullet">
/// <item><c>comms:providers:breaker:&lt;dispatcher id&gt;:&lt;provider&gt;[|&lt;host&gt;]</c> — a hash per breaker per
/// dispatcher (provider, target, state, since, lastFailure, dispatcher, updated) whose TTL each heartbeat renews: a dead
/// dispatcher's entries expire; a stopping one deletes them.</item>
/// <item><c>comms:providers:breakers</c> — the index of those keys (a sorted set scored by when each expires).</item>
/// <item><c>comms:providers:minute:&lt;yyyyMMddHHmm&gt;</c> — a hash per UTC minute of counters
/// <c>&lt;provider&gt;:accepted|rejected|failed|held</c>, incremented by every dispatcher, kept two hours.</item>
/// </list>
/// </summary>
public static class ProviderHealthKeys
{
    public const string Prefix = "comms:providers:";
    public const string BreakerIndex = Prefix + "breakers";
    public static readonly TimeSpan MinuteRetention = TimeSpan.FromHours(2);
    public static readonly string[] Counters = ["accepted", "rejected", "failed", "held"];

    public static string Breaker(string dispatcher, string provider, string? target) =>
        $"{Prefix}breaker:{dispatcher}:{provider}{(target is null ? "" : "|" + target)}";

    public static string Minute(DateTimeOffset at) => Prefix + "minute:" + at.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
}

/// <summary>Reads what the dispatchers published (<see cref="ProviderHealthKeys"/>): breakers alive now, and the last hour's counters.</summary>
public sealed class ProviderHealthReader(IConnectionMultiplexer redis, TimeProvider time)
{
    /// <summary>Every breaker of a dispatcher that is alive (its entry not expired), ordered by provider, target, dispatcher.</summary>
    public async Task<IReadOnlyList<BreakerReport>> BreakersAsync(CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var now = time.GetUtcNow();
        var keys = await db.SortedSetRangeByScoreAsync(ProviderHealthKeys.BreakerIndex, now.ToUnixTimeMilliseconds(), double.PositiveInfinity)
            .WaitAsync(cancellationToken);
        var batch = db.CreateBatch();
        var reads = keys.Select(k => batch.HashGetAllAsync((string)k!)).ToList();
        batch.Execute();
        await Task.WhenAll(reads).WaitAsync(cancellationToken);
        var reports = new List<BreakerReport>(reads.Count);
        foreach (var read in reads)
        {
            var fields = read.Result.ToDictionary(e => (string)e.Name!, e => (string?)e.Value, StringComparer.Ordinal);
            if (fields.GetValueOrDefault("provider") is { } provider && fields.GetValueOrDefault("dispatcher") is { } dispatcher)
            {
                reports.Add(new BreakerReport(
                    provider, Blank(fields.GetValueOrDefault("target")), fields.GetValueOrDefault("state") ?? "closed",
                    Time(fields.GetValueOrDefault("since")), Blank(fields.GetValueOrDefault("lastFailure")), dispatcher,
                    Time(fields.GetValueOrDefault("updated"))));
            }
        }

        return reports.OrderBy(r => r.Provider, StringComparer.Ordinal).ThenBy(r => r.Target, StringComparer.Ordinal)
            .ThenBy(r => r.Dispatcher, StringComparer.Ordinal).ToList();
    }

    /// <summary>Each provider's counters over the last <paramref name="minutes"/> minutes (this one included), every dispatcher together.</summary>
    public async Task<IReadOnlyList<ProviderThroughput>> ThroughputAsync(int minutes, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var now = time.GetUtcNow();
        var batch = db.CreateBatch();
        var reads = Enumerable.Range(0, minutes).Select(i => batch.HashGetAllAsync(ProviderHealthKeys.Minute(now.AddMinutes(-i)))).ToList();
        batch.Execute();
        await Task.WhenAll(reads).WaitAsync(cancellationToken);
        var sums = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var entry in reads.SelectMany(r => r.Result))
        {
            var name = (string)entry.Name!;
            var colon = name.LastIndexOf(':');
            var counter = colon < 0 ? -1 : Array.IndexOf(ProviderHealthKeys.Counters, name[(colon + 1)..]);
            if (counter >= 0 && entry.Value.TryParse(out long value))
            {
                var sum = sums.TryGetValue(name[..colon], out var known) ? known : sums[name[..colon]] = new long[4];
                sum[counter] += value;
            }
        }

        return sums.OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => new ProviderThroughput(s.Key, s.Value[0], s.Value[1], s.Value[2], s.Value[3])).ToList();
    }

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static DateTimeOffset Time(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : DateTimeOffset.MinValue;
}
