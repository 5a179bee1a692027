using System.Text;
using Comms.Core.Queueing;
using Comms.Core.Webhooks;
using Comms.Dispatcher.Sending;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Comms.Dispatcher.Webhooks;

/// <summary>
/// Sends the status webhooks' outbox (<c>webhook_deliveries</c>, written by a trigger on <c>messages</c> in the transaction
/// of each status change): claims due rows with <c>FOR UPDATE SKIP LOCKED</c> and a lease (any number of dispatchers may
/// run), POSTs each signed to its endpoint through <see cref="WebhookPoster"/> (<c>webhook-id</c> = <c>whd_{id}</c>, the same on
/// every attempt), and records the answer: 2xx → delivered; a transient failure → retried with exponential backoff and
/// jitter (honouring <c>Retry-After</c>) up to <c>Comms:Webhooks:StatusMaxAttempts</c>; a permanent one, the last attempt,
/// or an endpoint since disabled → failed. Each state change is fenced on the claim's lease.
/// </summary>
public sealed partial class StatusWebhookWorker(
    NpgsqlDataSource dataSource,
    WebhookEndpointService endpoints,
    WebhookPoster poster,
    IOptions<WebhookOptions> options,
    DispatcherIdentity identity,
    TimeProvider time,
    ILogger<StatusWebhookWorker> logger) : BackgroundService
{
    public const int BatchSize = 50;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromHours(1);

    private sealed record Claimed(long Id, string TenantId, Guid EndpointId, string Payload, int Attempts, DateTimeOffset LeaseUntil);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var worked = 0;
            try
            {
                var claimed = await ClaimAsync(stoppingToken);
                worked = claimed.Count;
                await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = stoppingToken },
                    async (delivery, ct) => await DeliverAsync(delivery, ct));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                LogFailed(logger, ex);
            }

            if (worked < BatchSize)
            {
                await Task.Delay(options.Value.StatusPollInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task<List<Claimed>> ClaimAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand("""
            UPDATE webhook_deliveries d SET lease_until = @lease_until, attempts = d.attempts + 1
             WHERE d.id IN (
                   SELECT id FROM webhook_deliveries
                    WHERE status = 'pending' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until < @now)
                    ORDER BY next_attempt_at
                    LIMIT @limit
                    FOR UPDATE SKIP LOCKED)
            RETURNING d.id, d.tenant_id, d.endpoint_id, d.payload::text, d.attempts
            """);
        // PostgreSQL keeps microseconds: the fence compares the value as stored.
        var leaseUntil = now + Lease;
        leaseUntil = leaseUntil.AddTicks(-(leaseUntil.Ticks % 10));
        command.Parameters.AddWithValue("lease_until", leaseUntil);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("limit", BatchSize);
        var claimed = new List<Claimed>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new Claimed(reader.GetInt64(0), reader.GetString(1), reader.GetGuid(2), reader.GetString(3), reader.GetInt32(4), leaseUntil));
        }

        return claimed;
    }

    private async Task DeliverAsync(Claimed delivery, CancellationToken cancellationToken)
    {
        var target = await endpoints.EnabledTargetAsync(delivery.TenantId, delivery.EndpointId, cancellationToken);
        if (target is null)
        {
            await FinishAsync(delivery, WebhookDeliveryStatus.Failed, null, "The endpoint was disabled before the delivery.", null, cancellationToken);
            return;
        }

        var now = time.GetUtcNow();
        var result = await poster.PostAsync(target, "whd_" + delivery.Id, now.ToUnixTimeSeconds(), Encoding.UTF8.GetBytes(delivery.Payload), cancellationToken);
        if (result.Delivered)
        {
            await FinishAsync(delivery, WebhookDeliveryStatus.Delivered, result.StatusCode, null, null, cancellationToken);
        }
        else if (result.HeldUntil is { } until)
        {
            // Held by the webhook bucket or an open breaker: nothing was sent; it waits and is never given up for it.
            await FinishAsync(delivery, WebhookDeliveryStatus.Pending, null, result.Error, until, cancellationToken);
        }
        else if (result.Transient && delivery.Attempts < options.Value.StatusMaxAttempts)
        {
            var retryAt = now + Backoff.Delay(delivery.Attempts, options.Value.StatusRetryBaseDelay, result.RetryAfter, ceiling: MaxDelay);
            await FinishAsync(delivery, WebhookDeliveryStatus.Pending, result.StatusCode, result.Error, retryAt, cancellationToken);
        }
        else
        {
            LogGivenUp(logger, delivery.Id, delivery.EndpointId, delivery.Attempts);
            await FinishAsync(delivery, WebhookDeliveryStatus.Failed, result.StatusCode, result.Error, null, cancellationToken);
        }
    }

    private async Task FinishAsync(
        Claimed delivery, string status, int? responseCode, string? error, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE webhook_deliveries SET status = @status, last_response_code = @code, last_error = @error, lease_until = NULL,
                   next_attempt_at = COALESCE(@retry_at, next_attempt_at),
                   delivered_at = CASE WHEN @status = 'delivered' THEN @now ELSE delivered_at END
             WHERE id = @id AND status = 'pending' AND lease_until = @lease_until
            """);
        command.Parameters.AddWithValue("status", status);
        command.Parameters.AddWithValue("code", NpgsqlTypes.NpgsqlDbType.Integer, (object?)responseCode ?? DBNull.Value);
        command.Parameters.AddWithValue("error", NpgsqlTypes.NpgsqlDbType.Varchar, (object?)(error is { Length: > 2000 } ? error[..2000] : error) ?? DBNull.Value);
        command.Parameters.AddWithValue("retry_at", NpgsqlTypes.NpgsqlDbType.TimestampTz, (object?)retryAt ?? DBNull.Value);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        command.Parameters.AddWithValue("id", delivery.Id);
        command.Parameters.AddWithValue("lease_until", delivery.LeaseUntil);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            LogLeaseLost(logger, delivery.Id, identity.Id);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Status webhook deliveries could not be claimed or recorded; trying again")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(2, LogLevel.Warning, "Status webhook delivery {DeliveryId} to endpoint {EndpointId} given up after {Attempts} attempt(s)")]
    private static partial void LogGivenUp(ILogger logger, long deliveryId, Guid endpointId, int attempts);

    [LoggerMessage(3, LogLevel.Warning, "Status webhook delivery {DeliveryId}: the lease of {Owner} was taken over; its answer is not recorded")]
    private static partial void LogLeaseLost(ILogger logger, long deliveryId, string owner);
}
