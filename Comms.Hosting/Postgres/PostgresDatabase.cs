using Npgsql;

namespace Comms.Hosting;

/// <summary>Database helpers that work against any PostgreSQL server (ours or an external one).</summary>
public static class PostgresDatabase
{
    /// <summary>
    /// Creates <paramref name="database"/> if it does not exist. Idempotent and safe against concurrent callers.
    /// CREATE DATABASE cannot run inside a transaction, so it is sent as a single statement on its own.
    /// </summary>
    /// <returns>True if the database was created by this call.</returns>
    public static async Task<bool> CreateIfMissingAsync(
        string serverConnectionString, string database, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        var builder = new NpgsqlConnectionStringBuilder(serverConnectionString) { Pooling = false };
        if (string.IsNullOrEmpty(builder.Database) || builder.Database == database)
        {
            builder.Database = "postgres";
        }

        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);

        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection))
        {
            exists.Parameters.AddWithValue("name", database);
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
            {
                return false;
            }
        }

        try
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE {QuoteIdentifier(database)}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            return false; // created concurrently by someone else
        }
    }

    /// <summary>Quotes an identifier for SQL (double quotes, embedded quotes doubled).</summary>
    public static string QuoteIdentifier(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
