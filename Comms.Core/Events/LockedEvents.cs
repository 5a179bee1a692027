using Npgsql;

namespace Comms.Core.Events;

/// <summary>
/// Events claimed by their row locks (<see cref="EventQueue.LockDueAsync"/>): the open transaction holding the locks, and
/// its connection. Disposing it rolls back whatever was not committed (the events are claimable again at once).
/// </summary>
public sealed class LockedEvents(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<EventRecord> events) : IAsyncDisposable
{
    public NpgsqlConnection Connection => connection;

    public NpgsqlTransaction Transaction => transaction;

    public IReadOnlyList<EventRecord> Events => events;

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
