using Comms.Core.Queueing;

namespace Comms.Core.Tests;

public sealed class BackoffTests
{
    [Fact]
    public void Delays_grow_exponentially_within_jitter_bounds()
    {
        var random = new Random(7);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var ceiling = TimeSpan.FromSeconds(1 * Math.Pow(2, attempt - 1));
            var delay = Backoff.Delay(attempt, TimeSpan.FromSeconds(1), random: random);
            Assert.InRange(delay, ceiling / 2, ceiling);
        }
    }

    [Fact]
    public void Retry_after_is_honoured_when_longer()
    {
        Assert.Equal(TimeSpan.FromMinutes(1), Backoff.Delay(1, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)));
    }
}
