using Npgsql;
using RedLockNet;

namespace Comms.Dispatcher.Maintenance;

/// <summary>
/// Singleton housekeeping, whichever dispatcher replica holds the RedLock lease: deletes expired
/// Idempotency-Key records (kept 24 h) in small batches so it never holds long locks.
/// </summary>
public sealed partial class MaintenanceWorker(
    IDistributedLockFactory locks,
    NpgsqlDataSource dataSource,
    TimeProvider time,
    ILogger<MaintenanceWorker> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);
    private const string LockName = "comms:lock:maintenance";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var lease = await locks.CreateLockAsync(LockName, TimeSpan.FromMinutes(5));
                if (lease.IsAcquired)
                {
                    var deleted = await DeleteExpiredIdempotencyKeysAsync(stoppingToken);
                    if (deleted > 0)
                    {
                        LogDeleted(logger, deleted);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogFailed(logger, ex);
            }

            await Task.Delay(Interval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public async Task<int> DeleteExpiredIdempotencyKeysAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            await using var command = dataSource.CreateCommand("""
                DELETE FROM idempotency_keys WHERE ctid IN (
                    SELECT ctid FROM idempotency_keys WHERE expires_at <= @now LIMIT 5000)
                """);
            command.Parameters.AddWithValue("now", time.GetUtcNow());
            var deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            total += deleted;
            if (deleted < 5000)
            {
                return total;
            }
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Deleted {Count} expired idempotency keys")]
    private static partial void LogDeleted(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Warning, "Maintenance failed; trying again later")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
