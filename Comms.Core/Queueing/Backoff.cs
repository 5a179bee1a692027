namespace Comms.Core.Queueing;

/// <summary>Exponential backoff with full jitter: attempt n waits a random time up to base × 2^(n-1).</summary>
public static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan? retryAfter = null, Random? random = null)
    {
        var ceiling = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 16));
        var jittered = TimeSpan.FromMilliseconds(ceiling / 2 + (random ?? Random.Shared).NextDouble() * ceiling / 2);
        return retryAfter is { } after && after > jittered ? after : jittered;
    }
}
