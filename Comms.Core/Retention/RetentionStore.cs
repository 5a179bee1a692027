using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Comms.Core.Retention;

/// <summary>A month partition of one of the <see cref="RetentionStore.Tables"/> (named <c>&lt;table&gt;_pYYYY_MM</c>, bounds in UTC).</summary>
public sealed record MonthPartition(string Table, string Name, DateOnly Month)
{
    /// <summary>The first instant after the partition's range.</summary>
    public DateTimeOffset End => new(Month.AddMonths(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}

/// <summary>The retention cut-off of each tenant: its rows created before it have expired.</summary>
public sealed record TenantCutoffs(string[] TenantIds, DateTime[] Cutoffs, DateTimeOffset Longest, DateTimeOffset Shortest);

/// <summary>
/// The SQL of retention (SPEC S11), one home for it: the monthly partitions of the delivery-record tables
/// (made by <c>comms_month_partition</c>, see the <c>PartitionedDeliveryRecords</c> migration), dropping a whole month,
/// and deleting a tenant's expired rows in small batches, each statement its own short transaction.
/// </summary>
public sealed partial class RetentionStore(NpgsqlDataSource dataSource)
{
    public const string Messages = "messages";
    public const string MessageRenders = "message_renders";
    public const string MessageAttempts = "message_attempts";
    public const string Decisions = "decisions";
    public const string InboxItems = "inbox_items";
    public const string MessageKeys = "message_keys";
    public const string LinkClicks = "link_clicks";

    /// <summary>The tables partitioned by month on <c>created_at</c>.</summary>
    public static readonly IReadOnlyList<string> Tables = [Messages, MessageRenders, MessageAttempts, Decisions, InboxItems];

    /// <summary>A DDL statement waits at most this long for its lock, so it never queues the tables' readers and writers behind it.</summary>
    public const string LockTimeout = "2s";

    [GeneratedRegex(@"^(?<table>[a-z_]+)_p(?<year>\d{4})_(?<month>\d{2})$")]
    private static partial Regex PartitionName();

    /// <summary>Makes the month partition of <paramref name="table"/> that holds <paramref name="month"/>; false when it exists.</summary>
    public async Task<bool> EnsurePartitionAsync(string table, DateOnly month, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await SetLockTimeoutAsync(connection, transaction, cancellationToken);
        await using var command = new NpgsqlCommand("SELECT comms_month_partition(@table, @month)", connection, transaction);
        command.Parameters.AddWithValue("table", table);
        command.Parameters.AddWithValue("month", new DateOnly(month.Year, month.Month, 1));
        var created = (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
        await transaction.CommitAsync(cancellationToken);
        return created;
    }

    /// <summary>The month partitions of the tables (not the DEFAULT ones).</summary>
    public async Task<List<MonthPartition>> ListPartitionsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = ANY(SELECT to_regclass(t) FROM unnest(@tables) AS t) ORDER BY c.relname
            """);
        command.Parameters.AddWithValue("tables", Tables.ToArray());
        var partitions = new List<MonthPartition>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            if (PartitionName().Match(name) is { Success: true } match && Tables.Contains(match.Groups["table"].Value))
            {
                var month = new DateOnly(int.Parse(match.Groups["year"].Value, CultureInfo.InvariantCulture),
                    int.Parse(match.Groups["month"].Value, CultureInfo.InvariantCulture), 1);
                partitions.Add(new MonthPartition(match.Groups["table"].Value, name, month));
            }
        }

        return partitions;
    }

    /// <summary>Whether a month partition of <c>messages</c> still holds queued messages (which retention never removes).</summary>
    public async Task<bool> HoldsQueuedAsync(MonthPartition partition, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT EXISTS (SELECT 1 FROM \"{partition.Name}\" WHERE status = 'queued')");
        try
        {
            return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return false; // dropped meanwhile (by a run that lost the lock's lease, or an operator)
        }
    }

    /// <summary>Drops a whole month partition (a brief lock on the parent, bounded by <see cref="LockTimeout"/>).</summary>
    public async Task DropPartitionAsync(MonthPartition partition, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await SetLockTimeoutAsync(connection, transaction, cancellationToken);
        await using var command = new NpgsqlCommand($"DROP TABLE IF EXISTS \"{partition.Name}\"", connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Each tenant's cut-off: now minus its retention (its own, else <paramref name="defaultDays"/>).</summary>
    public async Task<TenantCutoffs> CutoffsAsync(DateTimeOffset now, int defaultDays, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT id, COALESCE(retention_days, @default) FROM tenants");
        command.Parameters.AddWithValue("default", defaultDays);
        var ids = new List<string>();
        var cutoffs = new List<DateTime>();
        var longest = defaultDays;
        var shortest = defaultDays;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var days = reader.GetInt32(1);
            ids.Add(reader.GetString(0));
            cutoffs.Add(now.AddDays(-days).UtcDateTime);
            longest = Math.Max(longest, days);
            shortest = Math.Min(shortest, days);
        }

        return new TenantCutoffs([.. ids], [.. cutoffs], now.AddDays(-longest), now.AddDays(-shortest));
    }

    /// <summary>
    /// Deletes up to <paramref name="batchSize"/> rows of <paramref name="table"/> whose tenant's retention has passed,
    /// in one statement (one short transaction). Queued messages, and their renders, attempts and keys, are kept.
    /// </summary>
    public async Task<int> DeleteExpiredBatchAsync(string table, TenantCutoffs cutoffs, int batchSize, CancellationToken cancellationToken)
    {
        var (key, keep, at) = table switch
        {
            Messages => ("id", "AND x.status <> 'queued'", "created_at"),
            MessageRenders => ("message_id", "AND NOT EXISTS (SELECT 1 FROM messages q WHERE q.id = x.message_id AND q.status = 'queued')", "created_at"),
            // An attempt's created_at is its message's: it expires with its message (a queued one's are kept).
            MessageAttempts => ("id", "AND NOT EXISTS (SELECT 1 FROM messages q WHERE q.id = x.message_id AND q.status = 'queued')", "created_at"),
            Decisions or InboxItems => ("id", "", "created_at"),
            MessageKeys => ("ctid", "AND NOT EXISTS (SELECT 1 FROM messages q WHERE q.id = x.message_id)", "created_at"),
            // A click is never older than its message: one past the tenant's retention belongs to a message that is gone.
            LinkClicks => ("ctid", "", "clicked_at"),
            _ => throw new ArgumentOutOfRangeException(nameof(table), table, "Not a table retention keeps."),
        };
        var expired = $"""
            FROM {table} x JOIN unnest(@tenants, @cutoffs) AS c(tenant_id, cutoff) ON c.tenant_id = x.tenant_id
                 WHERE x.{at} < @shortest AND x.{at} < c.cutoff {keep}
                 LIMIT @batch
            """;
        // A partitioned table's rows are found by their primary key (which holds the partition key); message_keys's by ctid.
        await using var command = dataSource.CreateCommand(key == "ctid"
            ? $"DELETE FROM {table} WHERE ctid = ANY(ARRAY(SELECT x.ctid {expired}))"
            : $"DELETE FROM {table} t USING (SELECT x.{key}, x.created_at {expired}) d WHERE t.{key} = d.{key} AND t.created_at = d.created_at");
        command.Parameters.AddWithValue("tenants", cutoffs.TenantIds);
        command.Parameters.AddWithValue("cutoffs", cutoffs.Cutoffs);
        command.Parameters.AddWithValue("shortest", cutoffs.Shortest);
        command.Parameters.AddWithValue("batch", batchSize);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task SetLockTimeoutAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SET LOCAL lock_timeout = '{LockTimeout}'", connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
