using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Comms.Core.Routing;

/// <summary>
/// Dedupe keys in Redis with a TTL (SPEC S2: the same dedupe key within the window → dropped as a
/// duplicate). The key's value is the event that claimed it, so routing the same event again after a
/// crash is not mistaken for a duplicate. If Redis is unreachable the check lets the message through:
/// the database's idempotency key still stops exact repeats.
/// </summary>
public sealed partial class DedupeGuard(IConnectionMultiplexer redis, ILogger<DedupeGuard> logger)
{
    /// <summary>True when this event may send on this key; false when another event holds it.</summary>
    public async Task<bool> TryClaimAsync(string tenantId, string renderedKey, Guid recipientId, string channel, Guid eventId, TimeSpan window)
    {
        var key = KeyFor(tenantId, renderedKey, recipientId, channel);
        var owner = eventId.ToString();
        try
        {
            var database = redis.GetDatabase();
            if (await database.StringSetAsync(key, owner, window, When.NotExists))
            {
                return true;
            }

            return await database.StringGetAsync(key) == owner;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogRedisDown(logger, ex.Message);
            return true;
        }
    }

    public static RedisKey KeyFor(string tenantId, string renderedKey, Guid recipientId, string channel)
    {
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(renderedKey)))[..32];
        return $"comms:dedupe:{tenantId}:{digest}:{recipientId:N}:{channel}";
    }

    [LoggerMessage(1, LogLevel.Warning, "Dedupe check skipped, Redis is unreachable: {Problem}")]
    private static partial void LogRedisDown(ILogger logger, string problem);
}
