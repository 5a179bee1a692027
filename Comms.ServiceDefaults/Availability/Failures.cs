using System.Data.Common;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Comms.ServiceDefaults.Availability;

/// <summary>Sorts failures into "a backing service (PostgreSQL, Redis) is away" and everything else.</summary>
public static class Failures
{
    /// <summary>
    /// True when the failure says a backing service is unavailable, not that the request or the item is bad: a
    /// transient <see cref="DbException"/> (connection refused or broken, the server shutting down or starting, too
    /// many connections, a deadlock), a socket error, or Redis unreachable — wherever it sits in the exception chain
    /// (EF Core and our own queues wrap them). APIs answer such failures 503 <c>COMMS_UNAVAILABLE</c>; the dispatcher
    /// never uses up an item's attempts on them.
    /// </summary>
    public static bool IsInfrastructure(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case DbException db when db.IsTransient || IsUnavailableState(db.SqlState):
                case SocketException:
                case RedisConnectionException or RedisTimeoutException:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsInfrastructure):
                    return true;
            }
        }

        return false;
    }

    /// <summary>SQLSTATE class 08 (connection exception) and 57P (operator intervention: shutdown, starting up).</summary>
    private static bool IsUnavailableState(string? sqlState) =>
        sqlState is not null && (sqlState.StartsWith("08", StringComparison.Ordinal) || sqlState.StartsWith("57P", StringComparison.Ordinal));
}
