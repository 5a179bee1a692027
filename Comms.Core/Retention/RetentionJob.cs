using Comms.Core.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Comms.Core.Retention;

/// <summary>What one retention run did.</summary>
public sealed record RetentionRun(IReadOnlyList<string> PartitionsCreated, IReadOnlyList<string> PartitionsDropped, IReadOnlyDictionary<string, int> RowsDeleted);

/// <summary>
/// Retention (SPEC S11), one run. The month partitions are shared by all tenants, so:
/// <list type="number">
/// <item>the partitions of this month and <see cref="RetentionOptions.MonthsAhead"/> months ahead are made (rows of any other
/// month land in the DEFAULT partition);</item>
/// <item>a whole month is dropped once it ended before the LONGEST retention of any tenant — unless its messages partition
/// still holds queued messages (a message is never removed before it is sent);</item>
/// <item>each tenant's rows older than its own retention (a shorter one, or the part of a month not yet droppable) are
/// deleted in batches of <see cref="RetentionOptions.BatchSize"/> rows, one short transaction per statement — and the
/// idempotency keys of the messages removed either way.</item>
/// </list>
/// DDL waits at most <see cref="RetentionStore.LockTimeout"/> for its lock; a partition it could not get is tried next run.
/// </summary>
public sealed partial class RetentionJob(RetentionStore store, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionJob> logger)
{
    /// <summary>The tables whose expired rows are deleted in batches, in this order (messages before their keys).</summary>
    private static readonly string[] BatchTables =
        [RetentionStore.Messages, RetentionStore.MessageRenders, RetentionStore.MessageAttempts, RetentionStore.Decisions, RetentionStore.InboxItems, RetentionStore.MessageKeys, RetentionStore.LinkClicks];

    public async Task<RetentionRun> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var created = await EnsurePartitionsAsync(now, settings.MonthsAhead, cancellationToken);
        var cutoffs = await store.CutoffsAsync(now, settings.DefaultDays, cancellationToken);
        var dropped = await DropExpiredPartitionsAsync(cutoffs.Longest, cancellationToken);

        var deleted = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var table in BatchTables)
        {
            var total = 0;
            int batch;
            do
            {
                batch = await store.DeleteExpiredBatchAsync(table, cutoffs, settings.BatchSize, cancellationToken);
                total += batch;
            }
            while (batch == settings.BatchSize);

            deleted[table] = total;
            if (total > 0)
            {
                CommsTelemetry.RetentionRowsDeleted.Add(total, new KeyValuePair<string, object?>("table", table));
                LogRowsDeleted(logger, total, table);
            }
        }

        return new RetentionRun(created, dropped, deleted);
    }

    /// <summary>Makes the partitions of this month and the next months (UTC) that do not exist yet.</summary>
    public async Task<List<string>> EnsurePartitionsAsync(DateTimeOffset now, int monthsAhead, CancellationToken cancellationToken)
    {
        var created = new List<string>();
        var thisMonth = new DateOnly(now.UtcDateTime.Year, now.UtcDateTime.Month, 1);
        for (var i = 0; i <= monthsAhead; i++)
        {
            var month = thisMonth.AddMonths(i);
            foreach (var table in RetentionStore.Tables)
            {
                var name = $"{table}_p{month:yyyy_MM}";
                try
                {
                    if (await store.EnsurePartitionAsync(table, month, cancellationToken))
                    {
                        created.Add(name);
                        LogPartitionCreated(logger, name);
                    }
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateTable)
                {
                    // Made meanwhile by another run.
                }
                catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.CheckViolation)
                {
                    // Locked: next run. Check violation: rows of that month already sit in the DEFAULT partition.
                    LogPartitionNotCreated(logger, name, ex.SqlState);
                }
            }
        }

        return created;
    }

    private async Task<List<string>> DropExpiredPartitionsAsync(DateTimeOffset longestCutoff, CancellationToken cancellationToken)
    {
        var dropped = new List<string>();
        var partitions = await store.ListPartitionsAsync(cancellationToken);
        var expired = partitions.Where(p => p.End <= longestCutoff).ToList();
        var queuedMonths = new HashSet<DateOnly>();
        foreach (var messages in expired.Where(p => p.Table == RetentionStore.Messages))
        {
            if (await store.HoldsQueuedAsync(messages, cancellationToken))
            {
                queuedMonths.Add(messages.Month);
                LogPartitionKept(logger, messages.Name);
            }
        }

        foreach (var partition in expired)
        {
            if (partition.Table is RetentionStore.Messages or RetentionStore.MessageRenders or RetentionStore.MessageAttempts
                && queuedMonths.Contains(partition.Month))
            {
                continue;
            }

            try
            {
                await store.DropPartitionAsync(partition, cancellationToken);
                dropped.Add(partition.Name);
                CommsTelemetry.RetentionPartitionsDropped.Add(1, new KeyValuePair<string, object?>("table", partition.Table));
                LogPartitionDropped(logger, partition.Name);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                LogPartitionNotDropped(logger, partition.Name);
            }
        }

        return dropped;
    }

    [LoggerMessage(7001, LogLevel.Information, "Retention: created partition {Partition}")]
    private static partial void LogPartitionCreated(ILogger logger, string partition);

    [LoggerMessage(7002, LogLevel.Warning, "Retention: could not create partition {Partition} (SQLSTATE {SqlState}); its rows go to the DEFAULT partition")]
    private static partial void LogPartitionNotCreated(ILogger logger, string partition, string sqlState);

    [LoggerMessage(7003, LogLevel.Information, "Retention: dropped partition {Partition}, older than the longest retention of any tenant")]
    private static partial void LogPartitionDropped(ILogger logger, string partition);

    [LoggerMessage(7004, LogLevel.Warning, "Retention: partition {Partition} was locked; dropping it next run")]
    private static partial void LogPartitionNotDropped(ILogger logger, string partition);

    [LoggerMessage(7005, LogLevel.Information, "Retention: kept expired partition {Partition}: it holds queued messages")]
    private static partial void LogPartitionKept(ILogger logger, string partition);

    [LoggerMessage(7006, LogLevel.Information, "Retention: deleted {Count} expired rows from {Table}")]
    private static partial void LogRowsDeleted(ILogger logger, int count, string table);
}
