using System.Threading.Channels;
using Comms.Core.Queueing;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Comms.Core.Events;

/// <summary>The answer intake gives to a request that carried an Idempotency-Key.</summary>
public sealed record IdempotentRequest(string Key, string RequestHash, int StatusCode, string ResponseBody);

public abstract record IntakeOutcome
{
    /// <summary>The events were stored (and the response recorded under the key, if any).</summary>
    public sealed record Stored : IntakeOutcome;

    /// <summary>The key was seen before: this is the first request's response.</summary>
    public sealed record Replayed(int StatusCode, string ResponseBody) : IntakeOutcome;

    /// <summary>The key was seen before with a different request body.</summary>
    public sealed record KeyReused : IntakeOutcome;
}

/// <summary>
/// Stores accepted events with group commit: concurrent requests are written together, in one
/// transaction and one fsync, by a couple of writer loops; a request returns when its transaction has
/// committed. Under light load a request is written alone, so no latency is added; under heavy load
/// batches grow and throughput rises well past one-commit-per-request. A batch that fails is retried
/// request by request, so one bad request never fails the others.
/// The Idempotency-Key record of a request is written in the same transaction as its events. A
/// concurrent repeat of the key blocks on the unique index until the first transaction commits and
/// then reads its response — so a repeat returns the first response even while the first is in flight.
/// The writer loops run in <see cref="EventIntakeWriter"/>, a hosted service.
/// </summary>
[Comms.Core.Diagnostics.HotPath]
public sealed partial class EventIntake
{
    public static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);
    private const int MaxEventsPerBatch = 2_000;
    private const int Writers = 2;

    private readonly NpgsqlDataSource _dataSource;
    private readonly WakeUps _wakeUps;
    private readonly TimeProvider _time;
    private readonly ILogger<EventIntake> _logger;
    private readonly Channel<PendingWrite> _queue = Channel.CreateBounded<PendingWrite>(
        new BoundedChannelOptions(20_000) { FullMode = BoundedChannelFullMode.Wait });

    public EventIntake(NpgsqlDataSource dataSource, WakeUps wakeUps, TimeProvider time, ILogger<EventIntake> logger)
    {
        (_dataSource, _wakeUps, _time, _logger) = (dataSource, wakeUps, time, logger);
    }

    public async Task<IntakeOutcome> StoreAsync(
        string tenantId, IReadOnlyList<EventRecord> events, IdempotentRequest? idempotency, CancellationToken cancellationToken)
    {
        var write = new PendingWrite(tenantId, events, idempotency);
        await _queue.Writer.WriteAsync(write, cancellationToken);
        // Once queued the write completes even if the caller goes away, so the outcome is never in doubt.
        return await write.Completion.Task;
    }

    /// <summary>
    /// Runs a batch write of these events with an idempotency record, all the way through, and rolls it back: the
    /// statements, Npgsql's array parameters and the connection are warm before the first real event.
    /// </summary>
    public Task WarmUpAsync(IReadOnlyList<EventRecord> events, CancellationToken cancellationToken)
    {
        var write = new PendingWrite(events[0].TenantId, events, new IdempotentRequest("warm-up", "warm-up", 202, "{}"));
        return IntakeBatch.WriteAsync(_dataSource, [write], _time.GetUtcNow(), cancellationToken, commit: false);
    }

    /// <summary>The writer loops: they end once <see cref="CompleteWrites"/> was called and every queued write is written.</summary>
    internal Task RunWritersAsync() => Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => WriteLoopAsync()));

    /// <summary>Accepts no more writes; the writers finish what is queued.</summary>
    internal void CompleteWrites() => _queue.Writer.TryComplete();

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            var batch = new List<PendingWrite>();
            var events = 0;
            while (events < MaxEventsPerBatch && reader.TryRead(out var write))
            {
                batch.Add(write);
                events += write.Events.Count;
            }

            if (batch.Count > 0)
            {
                await WriteBatchAsync(batch);
            }
        }
    }

    private async Task WriteBatchAsync(List<PendingWrite> batch)
    {
        try
        {
            await IntakeBatch.WriteAsync(_dataSource, batch, _time.GetUtcNow(), CancellationToken.None);
        }
        catch (Exception ex) when (batch.Count > 1)
        {
            LogBatchRetried(_logger, batch.Count, ex.Message);
            foreach (var write in batch)
            {
                await WriteBatchAsync([write]);
            }

            return;
        }
        catch (Exception ex)
        {
            batch[0].Completion.TrySetException(ex);
            return;
        }

        Diagnostics.CommsTelemetry.EventsAccepted.Add(batch.Sum(w => w.Events.Count));
        await _wakeUps.PublishAsync(WakeUps.Events);
    }

    [LoggerMessage(1, LogLevel.Warning, "A batch of {Count} intake writes failed ({Problem}); retrying them one by one")]
    private static partial void LogBatchRetried(ILogger logger, int count, string problem);
}

/// <summary>
/// Runs <see cref="EventIntake"/>'s writer loops for the life of the service (outside any request, so a batch is
/// never attributed to the request that happened to start the loops); on stop, writes what is queued.
/// </summary>
public sealed class EventIntakeWriter(EventIntake intake) : Microsoft.Extensions.Hosting.BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => intake.RunWritersAsync();

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        intake.CompleteWrites();
        await base.StopAsync(cancellationToken);
    }
}

/// <summary>One request's events waiting for the group commit (compared by reference).</summary>
internal sealed class PendingWrite(string tenantId, IReadOnlyList<EventRecord> events, IdempotentRequest? idempotency)
{
    public string TenantId { get; } = tenantId;
    public IReadOnlyList<EventRecord> Events { get; } = events;
    public IdempotentRequest? Idempotency { get; } = idempotency;
    public TaskCompletionSource<IntakeOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
