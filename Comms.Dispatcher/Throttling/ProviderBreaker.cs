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
    private long _sinceTicks;
    private long _accepted, _rejected, _failed, _held;
    private string? _lastFailure;

    public ProviderBreaker(string provider, string? target, BreakerOptions options, TimeProvider time, Action<ProviderBreaker, CircuitState> changed)
    {
        Provider = provider;
        Target = target;
        _options = options;
        _time = time;
        _sinceTicks = time.GetUtcNow().UtcTicks;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                StateProvider = _state,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is Attempt { Answer: ProviderAnswer.Failed }),
                OnOpened = _ =>
                {
                    Interlocked.Exchange(ref _openedAtTicks, time.GetUtcNow().UtcTicks);
                    Interlocked.Exchange(ref _sinceTicks, time.GetUtcNow().UtcTicks);
                    changed(this, CircuitState.Open);
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    Interlocked.Exchange(ref _sinceTicks, time.GetUtcNow().UtcTicks);
                    changed(this, CircuitState.HalfOpen);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    Interlocked.Exchange(ref _sinceTicks, time.GetUtcNow().UtcTicks);
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

    /// <summary>When the breaker took its present state (when it was made, for one that never changed).</summary>
    public DateTimeOffset Since => new(Interlocked.Read(ref _sinceTicks), TimeSpan.Zero);

    /// <summary>What the last transient failure was, as safe text (an HTTP status or an exception's type; never a body or an address).</summary>
    public string? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>
    /// The attempts counted since the last call (accepted, rejected, failed, held), and zeroes them: the health
    /// publisher adds them to Redis every few seconds, so the send path itself never waits for Redis.
    /// </summary>
    public ProviderCounts TakeCounts() => new(
        Interlocked.Exchange(ref _accepted, 0), Interlocked.Exchange(ref _rejected, 0),
        Interlocked.Exchange(ref _failed, 0), Interlocked.Exchange(ref _held, 0));

    /// <summary>Counts a send held before it reached the provider (its token bucket had no slot).</summary>
    public void CountHeld() => Interlocked.Increment(ref _held);

    /// <summary>
    /// Holds the send at once while the breaker is open (no bucket slot is spent on it). Once the break is over the send
    /// goes through: Polly half-opens the breaker on the next execution, which is then the probe.
    /// </summary>
    public void ThrowIfOpen()
    {
        var breakEnds = new DateTimeOffset(Interlocked.Read(ref _openedAtTicks), TimeSpan.Zero) + _options.BreakDuration;
        if (State is CircuitState.Isolated || (State is CircuitState.Open && _time.GetUtcNow() < breakEnds))
        {
            Interlocked.Increment(ref _held);
            throw Held(null, null);
        }
    }

    /// <summary>
    /// Runs one attempt. <paramref name="classify"/> tells a transient failure among results (e.g. a 5xx answer) from
    /// an accepted or rejected one, <paramref name="isTransient"/> among exceptions; other exceptions pass through
    /// untouched and count as successes for the breaker (and as nothing in the counts).
    /// </summary>
    public async Task<T> ExecuteAsync<T>(
        Func<CancellationToken, Task<T>> attempt, Func<T, ProviderAnswer> classify, Func<Exception, bool> isTransient,
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
                    var answer = state.classify(value);
                    if (answer == ProviderAnswer.Failed)
                    {
                        // Noted before the breaker sees it, so a state published on its opening names it.
                        state.self.NoteFailure(value is HttpResponseMessage response ? $"HTTP {(int)response.StatusCode}" : "transient failure");
                    }

                    return new Attempt(value, null, answer);
                }
                catch (Exception ex) when (state.isTransient(ex))
                {
                    state.self.NoteFailure(ex.GetType().Name);
                    return new Attempt(null, ExceptionDispatchInfo.Capture(ex), ProviderAnswer.Failed);
                }
            }, (attempt, classify, isTransient, self: this), cancellationToken);
        }
        catch (BrokenCircuitException ex)
        {
            Interlocked.Increment(ref _held);
            throw Held(ex.RetryAfter, ex);
        }

        Count(outcome);

        if (outcome.Answer == ProviderAnswer.Failed && State is CircuitState.Open or CircuitState.Isolated)
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

    private void Count(Attempt outcome)
    {
        switch (outcome.Answer)
        {
            case ProviderAnswer.Accepted:
                Interlocked.Increment(ref _accepted);
                break;
            case ProviderAnswer.Rejected:
                Interlocked.Increment(ref _rejected);
                break;
            case ProviderAnswer.Failed:
                Interlocked.Increment(ref _failed);
                break;
        }
    }

    private void NoteFailure(string reason) => Volatile.Write(ref _lastFailure, reason);

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

    private sealed record Attempt(object? Value, ExceptionDispatchInfo? Exception, ProviderAnswer Answer);
}

/// <summary>What a provider's answer to one attempt says.</summary>
public enum ProviderAnswer
{
    /// <summary>It took the message.</summary>
    Accepted,

    /// <summary>It refused this message (a 4xx, a permanent SMTP answer): the message's fault, not the provider's.</summary>
    Rejected,

    /// <summary>A transient failure of the provider (5xx, 408, a timeout, a connection error): the breaker counts it.</summary>
    Failed,

    /// <summary>Neither (a 429, our own database away): not counted.</summary>
    Other,
}

/// <summary>Attempts of one breaker over a while: accepted, rejected, failed, held (not made: open breaker or no bucket slot).</summary>
public readonly record struct ProviderCounts(long Accepted, long Rejected, long Failed, long Held)
{
    public bool IsEmpty => Accepted == 0 && Rejected == 0 && Failed == 0 && Held == 0;
}
