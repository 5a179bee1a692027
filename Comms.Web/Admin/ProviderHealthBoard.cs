using Comms.Core.Diagnostics;
using StackExchange.Redis;

namespace Comms.Web.Admin;

/// <summary>One provider's breakers on the dashboard: one line per breaker (provider, or webhook target host) per dispatcher.</summary>
public sealed record BreakerLine(string Provider, string? Target, string State, DateTimeOffset Since, string Dispatcher, string? LastFailure)
{
    public string Name => Target is null ? Provider : $"{Provider} ({Target})";
}

/// <summary>
/// The dashboard's provider panel: every live breaker, and each provider's attempts over the last hour (accepted,
/// rejected, failed, held). <see cref="Problem"/> says why it is empty when Redis cannot be read.
/// </summary>
public sealed record ProviderHealth(IReadOnlyList<BreakerLine> Breakers, IReadOnlyList<ProviderThroughput> Throughput, IReadOnlyList<DashboardAlert> Alerts, string? Problem)
{
    public static readonly ProviderHealth Empty = new([], [], [], null);
}

/// <summary>
/// Reads the providers' health that the dispatchers publish to Redis (<see cref="ProviderHealthKeys"/>) for the
/// dashboard, with an alert per open breaker. Breakers and counters are platform-wide: an operator with tenant grants
/// sees the providers' breakers but not the webhook target hosts (other tenants' servers) nor the counts (every
/// tenant's traffic together). Redis away: the panel says so, the rest of the dashboard goes on.
/// </summary>
public sealed partial class ProviderHealthBoard(ProviderHealthReader reader, ILogger<ProviderHealthBoard> logger)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);

    public async Task<ProviderHealth> ReadAsync(IReadOnlyList<string>? tenants, CancellationToken cancellationToken)
    {
        IReadOnlyList<BreakerReport> breakers;
        IReadOnlyList<ProviderThroughput> throughput;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Patience);
            breakers = await reader.BreakersAsync(timeout.Token);
            throughput = tenants is null ? await reader.ThroughputAsync(60, timeout.Token) : [];
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogUnavailable(logger, ex.GetType().Name);
            return ProviderHealth.Empty with { Problem = "Provider health is unavailable: Redis cannot be reached." };
        }

        var lines = breakers.Where(b => tenants is null || b.Target is null)
            .Select(b => new BreakerLine(b.Provider, b.Target, b.State, b.Since, b.Dispatcher, b.LastFailure)).ToList();
        var alerts = lines.Where(b => b.State == "open").GroupBy(b => b.Name, StringComparer.Ordinal).Select(g => new DashboardAlert("breaker_open",
            $"The {g.Key} circuit breaker is open on {Dispatchers(g)} since {g.Min(b => b.Since).UtcDateTime:HH:mm:ss} UTC: its messages wait"
            + (g.Select(b => b.LastFailure).FirstOrDefault(f => f is not null) is { } failure ? $" (last failure: {failure})." : ".")))
            .ToList();
        return new ProviderHealth(lines, throughput, alerts, null);
    }

    private static string Dispatchers(IGrouping<string, BreakerLine> group) =>
        group.Count() == 1 ? "dispatcher " + group.First().Dispatcher : $"{group.Count()} dispatchers";

    [LoggerMessage(1, LogLevel.Warning, "The dashboard cannot read the provider health from Redis ({Problem})")]
    private static partial void LogUnavailable(ILogger logger, string problem);
}
