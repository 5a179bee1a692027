using System.Net;
using Polly;
using Polly.Retry;

namespace Comms.Client.Http;

/// <summary>
/// Retries what is safe to repeat when it failed transiently — network errors, timeouts, 408, 429 and 5xx — with
/// exponential backoff and jitter, waiting at least the answer's <c>Retry-After</c>. Safe to repeat: reads, and event
/// intake (<c>POST /v1/events</c>, <c>POST /v1/events/bulk</c>), which carries one <c>Idempotency-Key</c> (the
/// caller's, or one made here) on every attempt, so a retried event is stored once.
/// </summary>
internal sealed class TransientRetryHandler : DelegatingHandler
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private readonly CommsClientOptions _options;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public TransientRetryHandler(CommsClientOptions options)
    {
        _options = options;
        _pipeline = options.MaxRetries <= 0
            ? ResiliencePipeline<HttpResponseMessage>.Empty
            : new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = options.TimeProvider }
                .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = options.MaxRetries,
                    Delay = options.BaseDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.CancellationToken)),
                    DelayGenerator = args => ValueTask.FromResult(
                        args.Outcome.Result is { } response && RetryAfter(response, _options.TimeProvider) is { } wait ? wait : (TimeSpan?)null),
                    OnRetry = args =>
                    {
                        args.Outcome.Result?.Dispose();
                        return default;
                    },
                })
                .Build();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var intake = IsIntake(request);
        if (!intake && request.Method != HttpMethod.Get && request.Method != HttpMethod.Head)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        if (intake && !request.Headers.Contains(IdempotencyKeyHeader))
        {
            request.Headers.Add(IdempotencyKeyHeader, Guid.NewGuid().ToString("N"));
        }

        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return await _pipeline.ExecuteAsync(
            async token =>
            {
                using var attempt = Requests.Copy(request, body);
                return await base.SendAsync(attempt, token).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST …/v1/events</c> or <c>POST …/v1/events/bulk</c>.</summary>
    public static bool IsIntake(HttpRequestMessage request)
    {
        if (request.Method != HttpMethod.Post || request.RequestUri is null)
        {
            return false;
        }

        var path = request.RequestUri.AbsolutePath.TrimEnd('/');
        return path.EndsWith("/v1/events", StringComparison.Ordinal) || path.EndsWith("/v1/events/bulk", StringComparison.Ordinal);
    }

    private bool ShouldRetry(Outcome<HttpResponseMessage> outcome, CancellationToken cancellationToken) => outcome switch
    {
        { Exception: HttpRequestException } => true,
        // A timeout of the transport, not the caller giving up.
        { Exception: OperationCanceledException } => !cancellationToken.IsCancellationRequested,
        { Result: { } response } => IsTransient(response.StatusCode)
            && (RetryAfter(response, _options.TimeProvider) is not { } wait || wait <= _options.MaxRetryAfter),
        _ => false,
    };

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>The answer's <c>Retry-After</c> (seconds or an HTTP date) as a delay from now.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };
}
