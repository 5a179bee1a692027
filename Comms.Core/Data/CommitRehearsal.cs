using Npgsql;

namespace Comms.Core.Data;

/// <summary>
/// The warm-up of a committed transaction: the write rehearsals roll back, so Npgsql's commit path (its command, its
/// log message, the continuations of a command and a commit that wait on the server) would otherwise be compiled by
/// the first real write. A statement that makes the server wait a moment makes the waits real; nothing is written.
/// </summary>
public static class CommitRehearsal
{
    public static async Task RunAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("SELECT pg_sleep(0.002)", connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
