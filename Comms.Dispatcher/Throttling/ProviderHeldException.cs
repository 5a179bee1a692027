namespace Comms.Dispatcher.Throttling;

/// <summary>
/// A send to <see cref="Provider"/> was not made, and is not a failure: its token bucket had no slot within
/// <see cref="ThrottlingOptions.MaxWait"/>, or its circuit breaker is open. Senders (and the sending worker, for any
/// sender that lets it through) turn it into <c>SendOutcome.Held</c>: the message waits until <see cref="Until"/>.
/// </summary>
public sealed class ProviderHeldException(string provider, DateTimeOffset until, string reason, Exception? inner = null)
    : Exception($"{reason} (waiting until {until:O})", inner)
{
    public string Provider { get; } = provider;

    public DateTimeOffset Until { get; } = until;

    public string Reason { get; } = reason;

    /// <summary>The held exception in <paramref name="exception"/> or its inner exceptions, if any.</summary>
    public static ProviderHeldException? Find(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is ProviderHeldException held)
            {
                return held;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Select(Find).FirstOrDefault(h => h is not null) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }
}
