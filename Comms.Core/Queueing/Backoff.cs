namespace Comms.Core.Queueing;

/// <summary>Exponential backoff with full jitter: attempt n waits a random time up to base × 2^(n-1).</summary>
public static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan? retryAfter = null, Random? random = null, TimeSpan? ceiling = null)
    {
        var top = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 16));
        if (ceiling is { } max && top > max.TotalMilliseconds)
        {
            top = max.TotalMilliseconds;
        }

        var jittered = TimeSpan.FromMilliseconds(top / 2 + (random ?? Random.Shared).NextDouble() * top / 2);
        return retryAfter is { } after && after > jittered ? after : jittered;
    }
}
