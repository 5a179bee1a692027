namespace Comms.Client;

/// <summary>How <see cref="CommsClient"/> retries transient failures.</summary>
public sealed class CommsClientOptions
{
    /// <summary>Retries after the first attempt (default 3). 0 turns retries off.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first backoff delay; each retry doubles it, with jitter (default 500 ms).</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The longest <c>Retry-After</c> the client waits for by itself (default 30 s); an answer asking for longer is
    /// returned to the caller (as a <see cref="CommsProblemException"/> with <see cref="CommsProblemException.RetryAfter"/>).
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock of the backoff delays (tests pass a fake one).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
