using System.Runtime.ExceptionServices;
using Polly;
using Polly.CircuitBreaker;

namespace Comms.Dispatcher.Throttling;

/// <summary>
/// The Polly v8 circuit breaker of one provider (or one webhook target host) in this dispatcher. Every attempt runs
/// through it; the caller says which outcomes are transient failures. While it is open — and for the send whose
/// failure opened it, or a half-open probe that failed — the send is held (<see cref="ProviderHeldException"/>), so an
/// outage uses up no message's attempts.
/// </summary>
public sealed class ProviderBreaker
{
    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerStateProvider _state = new();
    private readonly BreakerOptions _options;
    private readonly TimeProvider _time;
    private long _openedAtTicks;

    public ProviderBreaker(string provider, string? target, BreakerOptions options, TimeProvider time, Action<ProviderBreaker, CircuitState> changed)
    {
        Provider = provider;
        Target = target;
        _options = options;
        _time = time;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                StateProvider = _state,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is Attempt { Failed: true }),
                OnOpened = _ =>
                {
                    Interlocked.Exchange(ref _openedAtTicks, time.GetUtcNow().UtcTicks);
                    changed(this, CircuitState.Open);
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    changed(this, CircuitState.HalfOpen);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    changed(this, CircuitState.Closed);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public string Provider { get; }

    /// <summary>The target host of a per-host breaker (webhooks), else null.</summary>
    public string? Target { get; }

    public CircuitState State => _state.CircuitState;

    /// <summary>0 closed, 1 half-open, 2 open (the metric's values).</summary>
    public int StateValue => State switch
    {
        CircuitState.Closed => 0,
        CircuitState.HalfOpen => 1,
        _ => 2,
    };

    public string Name => Target is null ? Provider : $"{Provider} ({Target})";

    /// <summary>
    /// Holds the send at once while the breaker is open (no bucket slot is spent on it). Once the break is over the send
    /// goes through: Polly half-opens the breaker on the next execution, which is then the probe.
    /// </summary>
    public void ThrowIfOpen()
    {
        var breakEnds = new DateTimeOffset(Interlocked.Read(ref _openedAtTicks), TimeSpan.Zero) + _options.BreakDuration;
        if (State is CircuitState.Isolated || (State is CircuitState.Open && _time.GetUtcNow() < breakEnds))
        {
            throw Held(null, null);
        }
    }

    /// <summary>
    /// Runs one attempt. <paramref name="isFailure"/> tells a transient failure among results (e.g. a 5xx answer),
    /// <paramref name="isTransient"/> among exceptions; other exceptions pass through untouched and count as successes.
    /// </summary>
    public async Task<T> ExecuteAsync<T>(
        Func<CancellationToken, Task<T>> attempt, Func<T, bool> isFailure, Func<Exception, bool> isTransient,
        Action<T>? discard, CancellationToken cancellationToken)
    {
        Attempt outcome;
        try
        {
            outcome = await _pipeline.ExecuteAsync(static async (state, ct) =>
            {
                try
                {
                    var value = await state.attempt(ct);
                    return new Attempt(value, null, state.isFailure(value));
                }
                catch (Exception ex) when (state.isTransient(ex))
                {
                    return new Attempt(null, ExceptionDispatchInfo.Capture(ex), true);
                }
            }, (attempt, isFailure, isTransient), cancellationToken);
        }
        catch (BrokenCircuitException ex)
        {
            throw Held(ex.RetryAfter, ex);
        }

        if (outcome.Failed && State is CircuitState.Open or CircuitState.Isolated)
        {
            // This failure opened the breaker (or was a failed probe): the message waits with the others.
            if (outcome.Value is T value)
            {
                discard?.Invoke(value);
            }

            throw Held(null, outcome.Exception?.SourceException);
        }

        outcome.Exception?.Throw();
        return (T)outcome.Value!;
    }

    private ProviderHeldException Held(TimeSpan? retryAfter, Exception? inner)
    {
        var now = _time.GetUtcNow();
        var openedAt = new DateTimeOffset(Interlocked.Read(ref _openedAtTicks), TimeSpan.Zero);
        var wait = retryAfter ?? (openedAt + _options.BreakDuration - now);
        if (wait < TimeSpan.FromMilliseconds(200))
        {
            wait = TimeSpan.FromMilliseconds(200);
        }

        // Spread the held messages a little, so the probe after the break does not meet them all at once.
        wait += wait * (Random.Shared.NextDouble() * 0.2);
        return new ProviderHeldException(Provider, now + wait, $"The {Name} circuit breaker is open", inner);
    }

    private sealed record Attempt(object? Value, ExceptionDispatchInfo? Exception, bool Failed);
}
