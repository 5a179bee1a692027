using System.Text.Json;
using Comms.Core.Data;
using Comms.Core.Events;
using Comms.Core.Queueing;
using Comms.Core.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Comms.Core.Contexts;

/// <summary>
/// Fires due scheduled messages (SPEC S7). The claim is one atomic statement — <c>UPDATE … SET status = 'sending'
/// WHERE id IN (SELECT … WHERE status = 'scheduled' AND send_at &lt;= now … FOR UPDATE SKIP LOCKED) RETURNING</c> — so two
/// schedulers never take the same message; a claim is a lease, and a message whose scheduler died is taken over when the
/// lease ends. The audience is resolved at fire time, chunk by chunk; each recipient's copy is personalised and handed
/// to the normal pipeline as one event per channel (<c>context.scheduled_message.{channel}</c>), so preferences, quiet
/// hours, suppressions and channels apply. A recipient's outcome row and their events are written in one transaction,
/// and the outcome row is unique per (message, recipient): a taken-over message goes on where the first run stopped and
/// never hands a recipient to the pipeline twice. Messages of paused or cancelled contexts are not claimed.
/// </summary>
public sealed partial class ScheduledMessageScheduler(
    NpgsqlDataSource dataSource,
    IDbContextFactory<CommsDbContext> contexts,
    TenantCatalog catalog,
    WakeUps wakeUps,
    TimeProvider time,
    ILogger<ScheduledMessageScheduler> logger)
{
    public const string WakeTopic = "scheduled";
    public const int ChunkSize = 500;
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    /// <summary>Claims up to <paramref name="max"/> due messages for <paramref name="owner"/> and fires each; returns how many it claimed.</summary>
    public async Task<int> FireDueAsync(string owner, int max, CancellationToken cancellationToken)
    {
        var claimed = await ClaimAsync(owner, max, cancellationToken);
        foreach (var id in claimed)
        {
            await FireAsync(id, owner, cancellationToken);
        }

        return claimed.Count;
    }

    /// <summary>When the next message becomes claimable (its send time, or the end of another scheduler's lease).</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT min(CASE WHEN s.status = 'scheduled' THEN s.send_at ELSE s.lease_until END)
              FROM scheduled_messages s JOIN contexts c ON c.id = s.context_id
             WHERE c.status = 'active' AND (s.status = 'scheduled' OR s.status = 'sending')
            """);
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime next ? new DateTimeOffset(next, TimeSpan.Zero) : null;
    }

    internal async Task<List<Guid>> ClaimAsync(string owner, int max, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand("""
            UPDATE scheduled_messages m
               SET status = 'sending', lease_owner = @owner, lease_until = @until, updated_at = @now
             WHERE m.id IN (
                   SELECT s.id FROM scheduled_messages s JOIN contexts c ON c.id = s.context_id
                    WHERE c.status = 'active'
                      AND ((s.status = 'scheduled' AND s.send_at <= @now) OR (s.status = 'sending' AND s.lease_until <= @now))
                    ORDER BY s.send_at
                    LIMIT @max
                      FOR UPDATE OF s SKIP LOCKED)
            RETURNING m.id
            """);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("until", now + Lease);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("max", max);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    private async Task FireAsync(Guid id, string owner, CancellationToken cancellationToken)
    {
        ScheduledMessage message;
        Context context;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            message = await db.ScheduledMessages.AsNoTracking().SingleAsync(m => m.Id == id, cancellationToken);
            context = await db.Contexts.AsNoTracking().SingleAsync(c => c.Id == message.ContextId, cancellationToken);
        }

        var snapshot = await SnapshotAsync(context.TenantId, cancellationToken);
        Guid? after = null;
        while (true)
        {
            var chunk = await NextChunkAsync(message, after, cancellationToken);
            if (chunk.Count == 0)
            {
                break;
            }

            after = chunk[^1].RecipientId;
            var outcomes = new List<(Target Target, List<EventRecord> Events, string? Error)>();
            foreach (var target in chunk)
            {
                outcomes.Add(await AdmitAsync(snapshot, message, context, target));
            }

            if (!await WriteChunkAsync(message, owner, outcomes, cancellationToken))
            {
                LogLeaseLost(logger, message.Id);
                return;
            }

            await wakeUps.PublishAsync(WakeUps.Events);
        }

        await FinishAsync(message.Id, owner, cancellationToken);
    }

    /// <summary>The tenant's snapshot with the built-in rules (added now if the tenant lacks them).</summary>
    private async Task<TenantSnapshot?> SnapshotAsync(string tenantId, CancellationToken cancellationToken)
    {
        var snapshot = await catalog.GetAsync(tenantId, cancellationToken);
        if (snapshot is not null && ContextBuiltIns.Channels.Any(c => snapshot.RuleFor(ContextBuiltIns.EventName(c)) is null)
            && await ContextBuiltIns.EnsureAsync(contexts, tenantId, time.GetUtcNow(), cancellationToken))
        {
            catalog.Invalidate(tenantId);
            snapshot = await catalog.GetAsync(tenantId, cancellationToken);
        }

        return snapshot;
    }

    private sealed record Target(Guid RecipientId, string ExternalId, string? DisplayName, string? Name, string? Locale, string? TimeZone);

    /// <summary>The next members of the audience (in recipient id order) who have no outcome yet.</summary>
    private async Task<List<Target>> NextChunkAsync(ScheduledMessage message, Guid? after, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var members = ScheduledMessageService.Audience(db, message.ContextId, message.Audience);
        if (after is { } cursor)
        {
            members = members.Where(m => m.RecipientId.CompareTo(cursor) > 0);
        }

        return await members
            .Where(m => !db.ScheduledMessageDeliveries.Any(d => d.ScheduledMessageId == message.Id && d.RecipientId == m.RecipientId))
            .Join(db.Recipients, m => m.RecipientId, r => r.Id, (m, r) => new { Member = m, Recipient = r })
            .OrderBy(x => x.Member.RecipientId).Take(ChunkSize)
            .Select(x => new Target(x.Member.RecipientId, x.Member.ExternalId, x.Member.DisplayName, x.Recipient.Name, x.Recipient.Locale, x.Recipient.TimeZone))
            .ToListAsync(cancellationToken);
    }

    /// <summary>One recipient's personalised copy as one event per channel, admitted like <c>POST /v1/events</c> admits one.</summary>
    private async Task<(Target, List<EventRecord>, string?)> AdmitAsync(TenantSnapshot? snapshot, ScheduledMessage message, Context context, Target target)
    {
        if (snapshot is null)
        {
            return (target, [], "The tenant no longer exists.");
        }

        var values = Placeholders.For(context, target.DisplayName, target.Name, target.ExternalId, target.Locale, target.TimeZone);
        var payload = new Dictionary<string, string>(values.AsDictionary(), StringComparer.Ordinal)
        {
            ["subject"] = Placeholders.Render(message.Subject, values),
            ["body"] = Placeholders.Render(message.Body, values),
            ["context_key"] = context.Key,
        };
        using var document = JsonSerializer.SerializeToDocument(payload);
        var events = new List<EventRecord>();
        foreach (var channel in message.Channels)
        {
            var submission = new EventSubmission
            {
                Name = ContextBuiltIns.EventName(channel), Recipients = [target.ExternalId], CauseRef = $"scheduled:{message.Id}",
                Payload = document.RootElement, Actor = context.OwnerExternalId,
            };
            var (record, problem) = await EventAdmission.AdmitAsync(snapshot, submission, null, null, time.GetUtcNow());
            if (problem is not null)
            {
                return (target, [], $"{problem.Code}: {problem.Detail}");
            }

            events.Add(record!);
        }

        return (target, events, null);
    }

    /// <summary>
    /// Writes the chunk's outcome rows (skipping recipients another run already recorded) and the events of those it
    /// recorded, in one transaction that also renews the lease; false when the lease is no longer this scheduler's.
    /// </summary>
    private async Task<bool> WriteChunkAsync(
        ScheduledMessage message, string owner, List<(Target Target, List<EventRecord> Events, string? Error)> outcomes, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var renew = new NpgsqlCommand(
            "UPDATE scheduled_messages SET lease_until = @until WHERE id = @id AND status = 'sending' AND lease_owner = @owner", connection, transaction))
        {
            renew.Parameters.AddWithValue("until", now + Lease);
            renew.Parameters.AddWithValue("id", message.Id);
            renew.Parameters.AddWithValue("owner", owner);
            if (await renew.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }
        }

        var recorded = new HashSet<Guid>();
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO scheduled_message_deliveries (id, tenant_id, scheduled_message_id, recipient_id, external_id, display_name, status, event_ids, error, created_at)
            SELECT u.id, @tenant, @message, u.recipient, u.external_id, u.display_name, u.status,
                   CASE WHEN u.events = '' THEN '{}'::uuid[] ELSE string_to_array(u.events, ',')::uuid[] END, u.error, @now
              FROM unnest(@ids, @recipients, @external_ids, @names, @statuses, @events, @errors)
                AS u(id, recipient, external_id, display_name, status, events, error)
            ON CONFLICT (scheduled_message_id, recipient_id) DO NOTHING
            RETURNING recipient_id
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("tenant", message.TenantId);
            insert.Parameters.AddWithValue("message", message.Id);
            insert.Parameters.AddWithValue("now", now);
            insert.Parameters.AddWithValue("ids", outcomes.Select(_ => Guid.CreateVersion7(now)).ToArray());
            insert.Parameters.AddWithValue("recipients", outcomes.Select(o => o.Target.RecipientId).ToArray());
            insert.Parameters.AddWithValue("external_ids", outcomes.Select(o => o.Target.ExternalId).ToArray());
            insert.Parameters.Add(new NpgsqlParameter("names", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = outcomes.Select(o => o.Target.DisplayName ?? o.Target.Name).ToArray() });
            insert.Parameters.AddWithValue("statuses", outcomes.Select(o => o.Error is null ? DeliveryOutcome.Submitted : DeliveryOutcome.Failed).ToArray());
            insert.Parameters.AddWithValue("events", outcomes.Select(o => string.Join(',', o.Events.Select(e => e.Id))).ToArray());
            insert.Parameters.Add(new NpgsqlParameter("errors", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = outcomes.Select(o => o.Error).ToArray() });
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                recorded.Add(reader.GetGuid(0));
            }
        }

        var events = outcomes.Where(o => recorded.Contains(o.Target.RecipientId)).SelectMany(o => o.Events).ToList();
        if (events.Count > 0)
        {
            await IntakeBatch.InsertEventsAsync(connection, transaction, events, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        Diagnostics.CommsTelemetry.EventsAccepted.Add(events.Count);
        return true;
    }

    /// <summary>Marks the message sent (or failed when every recipient failed) with its counts, if this scheduler still holds it.</summary>
    private async Task FinishAsync(Guid id, string owner, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            WITH counts AS (
                SELECT count(*) AS total, count(*) FILTER (WHERE status = 'failed') AS failed
                  FROM scheduled_message_deliveries WHERE scheduled_message_id = @id)
            UPDATE scheduled_messages m
               SET status = CASE WHEN counts.total > 0 AND counts.failed = counts.total THEN 'failed' ELSE 'sent' END,
                   recipient_count = counts.total, failed_count = counts.failed,
                   error = CASE WHEN counts.total > 0 AND counts.failed = counts.total THEN 'No recipient could be handed to the pipeline; see the deliveries.' END,
                   sent_at = @now, updated_at = @now, lease_owner = NULL, lease_until = NULL
              FROM counts
             WHERE m.id = @id AND m.status = 'sending' AND m.lease_owner = @owner
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            LogLeaseLost(logger, id);
            return;
        }

        LogFired(logger, id);
    }

    [LoggerMessage(1, LogLevel.Information, "Scheduled message {MessageId} fired")]
    private static partial void LogFired(ILogger logger, Guid messageId);

    [LoggerMessage(2, LogLevel.Warning, "Scheduled message {MessageId}: another scheduler took it over; this one stops")]
    private static partial void LogLeaseLost(ILogger logger, Guid messageId);
}
