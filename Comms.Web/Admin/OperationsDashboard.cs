using Comms.Core.Diagnostics;
using Npgsql;

namespace Comms.Web.Admin;

/// <summary>One channel's line on the operations dashboard.</summary>
public sealed record ChannelFigures(string Channel, long Queued, TimeSpan? OldestWait, long Sent, long Failed, long Suppressed, long Deferred);

/// <summary>A condition worth an operator's attention (SPEC S10), with the figure that raised it.</summary>
public sealed record DashboardAlert(string Kind, string Message);

/// <summary>What the dashboard shows: the channels' lines, the alerts, and the providers' health (<see cref="ProviderHealth"/>).</summary>
public sealed record DashboardFigures(IReadOnlyList<ChannelFigures> Channels, IReadOnlyList<DashboardAlert> Alerts, DateTimeOffset At)
{
    public ProviderHealth Providers { get; init; } = ProviderHealth.Empty;
}

/// <summary>
/// The operations dashboard's figures (SPEC S10), straight from the system of record: per channel the queue depth and
/// how long its oldest due message has waited, and over the last hour the messages sent, failed (dead-lettered),
/// suppressed (decided but not sent: the address is suppressed) and deferred (held by a rate limit); and the alerts
/// of SPEC S10 (bounce and complaint rates of email, the router's error rate, a queue falling behind). An operator
/// with tenant grants sees only their tenants' figures.
/// </summary>
public sealed class OperationsDashboard(NpgsqlDataSource dataSource, ProviderHealthBoard providers, TimeProvider time)
{
    public static readonly IReadOnlyList<string> Channels = ["email", "push", "sms", "in_app", "webhook"];

    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// <summary>SPEC S10's thresholds: bounce rate above 0.3%, complaint rate above 0.1% (email, last 24 hours), router errors above 1% (last hour).</summary>
    public const double MaxBounceRate = 0.003, MaxComplaintRate = 0.001, MaxRouterErrorRate = 0.01;

    /// <summary>A queue whose oldest due message has waited longer than this is falling behind.</summary>
    public static readonly TimeSpan MaxQueueWait = TimeSpan.FromMinutes(5);

    public async Task<DashboardFigures> ReadWithAlertsAsync(IReadOnlyList<string>? tenants, CancellationToken cancellationToken)
    {
        var channels = await ReadAsync(tenants, cancellationToken);
        var alerts = new List<DashboardAlert>();
        foreach (var line in channels.Where(c => c.OldestWait > MaxQueueWait))
        {
            alerts.Add(new DashboardAlert("queue_age", $"The {line.Channel} queue is falling behind: its oldest due message has waited {line.OldestWait!.Value.TotalMinutes:0} minutes."));
        }

        await using var command = dataSource.CreateCommand("""
            SELECT count(*) FILTER (WHERE status IN ('sent', 'delivered', 'bounced', 'complained')),
                   count(*) FILTER (WHERE status = 'bounced'), count(*) FILTER (WHERE status = 'complained'),
                   (SELECT count(*) FROM events WHERE created_at >= @hour AND status IN ('routed', 'failed') AND (@all OR tenant_id = ANY(@tenants))),
                   (SELECT count(*) FROM events WHERE created_at >= @hour AND status = 'failed' AND (@all OR tenant_id = ANY(@tenants)))
              FROM messages WHERE channel = 'email' AND created_at >= @day AND (@all OR tenant_id = ANY(@tenants))
            """);
        var now = time.GetUtcNow();
        command.Parameters.AddWithValue("all", tenants is null);
        command.Parameters.AddWithValue("tenants", (tenants ?? []).ToArray());
        command.Parameters.AddWithValue("day", now - TimeSpan.FromDays(1));
        command.Parameters.AddWithValue("hour", now - Window);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            var (emails, bounced, complained, events, failedEvents) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
            Rate(alerts, "bounce_rate", "Bounce rate", bounced, emails, MaxBounceRate, "of the emails of the last 24 hours");
            Rate(alerts, "complaint_rate", "Complaint rate", complained, emails, MaxComplaintRate, "of the emails of the last 24 hours");
            Rate(alerts, "router_error_rate", "Router error rate", failedEvents, events, MaxRouterErrorRate, "of the events of the last hour could not be routed");
        }

        var health = await providers.ReadAsync(tenants, cancellationToken);
        alerts.AddRange(health.Alerts);
        return new DashboardFigures(channels, alerts, now) { Providers = health };
    }

    private static void Rate(List<DashboardAlert> alerts, string kind, string name, long part, long whole, double threshold, string of)
    {
        if (whole > 0 && (double)part / whole > threshold)
        {
            alerts.Add(new DashboardAlert(kind, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{name} {100.0 * part / whole:0.##}% ({part} of {whole}) {of}; the limit is {100 * threshold:0.#}%.")));
        }
    }

    public async Task<IReadOnlyList<ChannelFigures>> ReadAsync(IReadOnlyList<string>? tenants, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var since = now - Window;
        await using var batch = dataSource.CreateBatch();
        // Queued: whatever its age (a stuck message is what the dashboard is for). Recent: rows created within a day
        // (the table is partitioned by creation time) that finished within the window.
        batch.BatchCommands.Add(Command("""
            SELECT channel, count(*), min(due_at) FILTER (WHERE due_at <= @now),
                   count(*) FILTER (WHERE last_error LIKE 'COMMS_RATE_LIMITED%')
              FROM messages WHERE status = 'queued' AND (@all OR tenant_id = ANY(@tenants)) GROUP BY channel
            """));
        batch.BatchCommands.Add(Command("""
            SELECT channel, count(*) FILTER (WHERE status = 'sent' AND sent_at >= @since),
                   count(*) FILTER (WHERE status = 'failed' AND failed_at >= @since)
              FROM messages WHERE created_at >= @day AND (@all OR tenant_id = ANY(@tenants)) GROUP BY channel
            """));
        batch.BatchCommands.Add(Command("""
            SELECT channel, count(*) FROM decisions
             WHERE created_at >= @since AND reason = 'COMMS_SUPPRESSED' AND (@all OR tenant_id = ANY(@tenants)) GROUP BY channel
            """));
        foreach (NpgsqlBatchCommand command in batch.BatchCommands)
        {
            command.Parameters.AddWithValue("all", tenants is null);
            command.Parameters.AddWithValue("tenants", (tenants ?? []).ToArray());
            command.Parameters.AddWithValue("now", now);
            command.Parameters.AddWithValue("since", since);
            command.Parameters.AddWithValue("day", now - TimeSpan.FromDays(1));
        }

        var queued = new Dictionary<string, (long Count, DateTimeOffset? Oldest, long Deferred)>(StringComparer.Ordinal);
        var recent = new Dictionary<string, (long Sent, long Failed)>(StringComparer.Ordinal);
        var suppressed = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            queued[reader.GetString(0)] = (reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt64(3));
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            recent[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            suppressed[reader.GetString(0)] = reader.GetInt64(1);
        }

        return Channels.Select(channel =>
        {
            var q = queued.GetValueOrDefault(channel);
            var r = recent.GetValueOrDefault(channel);
            return new ChannelFigures(channel, q.Count, q.Oldest is { } oldest ? now - oldest : null, r.Sent, r.Failed,
                suppressed.GetValueOrDefault(channel), q.Deferred);
        }).ToList();
    }

    private static NpgsqlBatchCommand Command(string sql) => new(sql);
}
