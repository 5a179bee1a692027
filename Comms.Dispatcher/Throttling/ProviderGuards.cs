using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Comms.Core.Diagnostics;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace Comms.Dispatcher.Throttling;

/// <summary>
/// The guards of every provider in this dispatcher: its shared token bucket (<c>Comms:Providers:&lt;Name&gt;:RequestsPerSecond</c>,
/// every replica together; none when unset, except SendGrid's documented default of 100) and its circuit breaker.
/// HTTP providers get both through <see cref="ProviderGuardExtensions.AddProviderGuards"/>; other senders (SMTP) call
/// <see cref="ExecuteAsync{T}"/> around each attempt. Provider names: <c>smtp</c>, <c>sendgrid</c>, <c>fcm</c>,
/// <c>expo</c>, <c>twilio</c>, <c>webhook</c>.
/// </summary>
public sealed partial class ProviderGuards : IDisposable
{
    private static readonly Dictionary<string, double> DefaultRates = new(StringComparer.OrdinalIgnoreCase) { ["sendgrid"] = 100 };

    private readonly ConcurrentDictionary<string, ProviderBreaker> _breakers = new(StringComparer.OrdinalIgnoreCase);
    private readonly TokenBuckets _buckets;
    private readonly IConfiguration _configuration;
    private readonly IOptions<ThrottlingOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ProviderGuards> _logger;
    private readonly IDisposable _metric;

    public ProviderGuards(TokenBuckets buckets, IConfiguration configuration, IOptions<ThrottlingOptions> options, TimeProvider time, ILogger<ProviderGuards> logger)
    {
        _buckets = buckets;
        _configuration = configuration;
        _options = options;
        _time = time;
        _logger = logger;
        _metric = CommsTelemetry.ObserveBreakers(() => _breakers.Values.Select(b => b.Target is null
            ? new Measurement<int>(b.StateValue, new KeyValuePair<string, object?>("provider", b.Provider))
            : new Measurement<int>(b.StateValue, new KeyValuePair<string, object?>("provider", b.Provider), new KeyValuePair<string, object?>("target", b.Target))));
    }

    /// <summary>Raised when a breaker opens, half-opens or closes (on the thread of the send that changed it: keep it quick).</summary>
    public event Action<ProviderBreaker>? BreakerChanged;

    /// <summary>Every breaker made so far (for the health check and tests).</summary>
    public IReadOnlyCollection<ProviderBreaker> Breakers => _breakers.Values.ToList();

    /// <summary>The provider's shared rate in requests per second, or null when it is not limited.</summary>
    public double? RateOf(string provider)
    {
        var configured = _configuration[$"Comms:Providers:{provider}:RequestsPerSecond"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var rate = double.Parse(configured, CultureInfo.InvariantCulture);
            return rate > 0 ? rate : null;
        }

        return DefaultRates.TryGetValue(provider, out var fallback) ? fallback : null;
    }

    /// <summary>The breaker of <paramref name="provider"/>, or of one of its target hosts.</summary>
    public ProviderBreaker Breaker(string provider, string? target = null) =>
        _breakers.GetOrAdd(target is null ? provider : provider + "|" + target,
            _ => new ProviderBreaker(provider, target, _options.Value.Breaker, _time, OnChanged));

    /// <summary>
    /// Takes the provider's next slot, waiting for it here when it comes within <see cref="ThrottlingOptions.MaxWait"/>;
    /// otherwise throws <see cref="ProviderHeldException"/> (due when a slot should be free).
    /// </summary>
    public async Task WaitTurnAsync(ProviderBreaker breaker, CancellationToken cancellationToken)
    {
        try
        {
            await WaitTurnAsync(breaker.Provider, cancellationToken);
        }
        catch (ProviderHeldException)
        {
            breaker.CountHeld();
            throw;
        }
    }

    /// <summary>
    /// Takes the provider's next slot, waiting for it here when it comes within <see cref="ThrottlingOptions.MaxWait"/>;
    /// otherwise throws <see cref="ProviderHeldException"/> (due when a slot should be free).
    /// </summary>
    public async Task WaitTurnAsync(string provider, CancellationToken cancellationToken)
    {
        if (RateOf(provider) is not { } rate)
        {
            return;
        }

        var maxWait = _options.Value.MaxWait;
        var bucket = "provider:" + provider.ToLowerInvariant();
        var deadline = _time.GetUtcNow() + maxWait;
        var grant = await _buckets.ReserveAsync(bucket, rate, 1, maxWait, cancellationToken);
        if (grant.Granted == 0)
        {
            throw Held(provider, rate, grant.NextFree);
        }

        if (grant.WaitOf(0) > TimeSpan.Zero)
        {
            await Task.Delay(grant.WaitOf(0), _time, cancellationToken);
        }

        // Normally admitted at once; after a stall (sends woke up late, together) the window makes the late ones wait.
        while (await _buckets.AdmitAsync(bucket, rate, cancellationToken) is { } retryIn)
        {
            if (_time.GetUtcNow() + retryIn > deadline + maxWait)
            {
                throw Held(provider, rate, retryIn);
            }

            LogLateSlot(_logger, provider);
            await Task.Delay(retryIn, _time, cancellationToken);
        }
    }

    private ProviderHeldException Held(string provider, double rate, TimeSpan wait) =>
        new(provider, _time.GetUtcNow() + wait,
            $"The {provider} token bucket ({rate.ToString(CultureInfo.InvariantCulture)}/s) has no slot within {_options.Value.MaxWait.TotalSeconds:0.###} s");

    /// <summary>
    /// The direct API for senders that are not HTTP clients (SMTP): the breaker is checked, a slot is taken, and the
    /// attempt runs through the breaker. <paramref name="isFailure"/> says which results are transient failures,
    /// <paramref name="isTransient"/> which exceptions. Throws <see cref="ProviderHeldException"/> when the send must wait.
    /// </summary>
    public Task<T> ExecuteAsync<T>(
        string provider, Func<CancellationToken, Task<T>> attempt, Func<T, bool> isFailure, Func<Exception, bool> isTransient,
        CancellationToken cancellationToken) =>
        ExecuteAsync(provider, attempt, value => isFailure(value) ? ProviderAnswer.Failed : ProviderAnswer.Accepted, isTransient, cancellationToken);

    /// <summary>As above, with <paramref name="classify"/> telling accepted, rejected and failed results apart (for the counts).</summary>
    public async Task<T> ExecuteAsync<T>(
        string provider, Func<CancellationToken, Task<T>> attempt, Func<T, ProviderAnswer> classify, Func<Exception, bool> isTransient,
        CancellationToken cancellationToken)
    {
        var breaker = Breaker(provider);
        breaker.ThrowIfOpen();
        await WaitTurnAsync(breaker, cancellationToken);
        return await breaker.ExecuteAsync(attempt, classify, isTransient, discard: null, cancellationToken);
    }

    /// <summary>
    /// The warm-up: one attempt through a breaker of its own (never one of <see cref="Breakers"/>: no provider's health,
    /// metric or bucket sees it), so the first real send does not pay for the JIT of the breaker's pipeline.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var breaker = new ProviderBreaker("~warm-up", null, _options.Value.Breaker, _time, static (_, _) => { });
        breaker.ThrowIfOpen();
        RateOf("~warm-up");
        // The attempt completes asynchronously, as a provider's does, so the pipeline's async path is the one compiled.
        await breaker.ExecuteAsync(static async ct =>
        {
            await Task.Delay(1, ct); // not Task.Yield: its continuation can complete before Polly looks
            return "warm";
        }, static _ => ProviderAnswer.Accepted, static _ => false, discard: null, cancellationToken);
    }

    private void OnChanged(ProviderBreaker breaker, CircuitState state)
    {
        BreakerChanged?.Invoke(breaker);
        switch (state)
        {
            case CircuitState.Open:
                LogOpened(_logger, breaker.Name, _options.Value.Breaker.BreakDuration.TotalSeconds);
                break;
            case CircuitState.HalfOpen:
                LogHalfOpened(_logger, breaker.Name);
                break;
            default:
                LogClosed(_logger, breaker.Name);
                break;
        }
    }

    public void Dispose() => _metric.Dispose();

    [LoggerMessage(1, LogLevel.Warning, "The {Breaker} circuit breaker opened: nothing is sent to it for {Seconds} s, its messages wait")]
    private static partial void LogOpened(ILogger logger, string breaker, double seconds);

    [LoggerMessage(2, LogLevel.Information, "The {Breaker} circuit breaker is half-open: one send probes it")]
    private static partial void LogHalfOpened(ILogger logger, string breaker);

    [LoggerMessage(3, LogLevel.Information, "The {Breaker} circuit breaker closed: sending resumes")]
    private static partial void LogClosed(ILogger logger, string breaker);

    [LoggerMessage(4, LogLevel.Debug, "A send to {Provider} woke up late for its slot and waits for the rate's window")]
    private static partial void LogLateSlot(ILogger logger, string provider);
}
