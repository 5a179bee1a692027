using System.Text.Json;
using Comms.Core.Audit;
using Comms.Core.Banners;
using Comms.Core.Data;
using Comms.Core.DirectMessages;
using Comms.Core.Events;
using Comms.Core.Queueing;
using Comms.Core.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Comms.Core.Broadcasts;

/// <summary>What a test send or a send did.</summary>
public sealed record BroadcastSendReceipt(Guid BroadcastId, bool TestSend, IReadOnlyList<string> Tenants, IReadOnlyList<string> Channels,
    int Events, Guid? BannerActivationId, DateTimeOffset At);

/// <summary>
/// Sends a broadcast through the normal pipeline. A test send goes to the operator's own recipient row in the audience's
/// first tenant (every channel; the banner as an in-app item) and unlocks the real send for that operator for
/// <see cref="TestSendWindow"/>. The real send writes, in one transaction, one event per tenant and channel carrying the
/// audience as its selector — the dispatcher expands each into message rows chunk by chunk from a cursor under a lease,
/// applying preferences and suppressions, and the send queue's workers claim them in batches — plus the banner's
/// activation, the status change and the audit row.
/// </summary>
public sealed class BroadcastSender(
    IDbContextFactory<CommsDbContext> contexts, NpgsqlDataSource dataSource, TenantCatalog catalog, CatalogChanges changes, WakeUps wakeUps,
    AuditLog audit, TimeProvider time)
{
    public static readonly TimeSpan TestSendWindow = TimeSpan.FromMinutes(30);
    public const string TestSentAction = "sys.broadcast.test_sent";
    public const string SentAction = "sys.broadcast.sent";

    public abstract record Result
    {
        public sealed record Done(BroadcastSendReceipt Receipt, BannerAudience? Banner) : Result;
        public sealed record Refused(BroadcastOutcome Outcome) : Result;
        public sealed record Failed(string Code, string Detail) : Result;
    }

    public async Task<Result> TestSendAsync(DirectMessageOperator sender, Guid id, CancellationToken cancellationToken)
    {
        var broadcast = await LoadAsync(id, cancellationToken);
        if (Refusal(broadcast) is { } refused)
        {
            return refused;
        }

        var audience = BroadcastAudience.FromJson(broadcast!.Audience);
        var tenant = audience.Tenants.Count > 0 ? audience.Tenants[0] : await FirstTenantAsync(cancellationToken);
        if (tenant is null)
        {
            return new Result.Failed("COMMS_VALIDATION", "There is no tenant to test-send in.");
        }

        var now = time.GetUtcNow();
        var target = await OperatorRecipients.EnsureAsync(dataSource, sender, tenant, now, cancellationToken);
        var events = new List<EventRecord>();
        var snapshot = await SnapshotAsync(tenant, broadcast, cancellationToken);
        foreach (var channel in broadcast.Channels)
        {
            var (record, problem) = await AdmitAsync(snapshot, broadcast, channel, sender, recipient: target, audience: null, now);
            if (problem is not null)
            {
                return new Result.Failed(problem.Code, problem.Detail);
            }

            events.Add(record!);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var (connection, npgsqlTransaction) = Raw(db, transaction);
        await IntakeBatch.InsertEventsAsync(connection, npgsqlTransaction, events, cancellationToken);
        await using (var record = new NpgsqlCommand("""
            INSERT INTO sys_broadcast_test_sends (broadcast_id, operator_id, test_sent_at) VALUES (@id, @operator, @now)
            ON CONFLICT (broadcast_id, operator_id) DO UPDATE SET test_sent_at = EXCLUDED.test_sent_at
            """, connection, npgsqlTransaction))
        {
            record.Parameters.AddWithValue("id", id);
            record.Parameters.AddWithValue("operator", sender.Id);
            record.Parameters.AddWithValue("now", now);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await audit.AppendAsync(connection, npgsqlTransaction, null, sender.Actor, TestSentAction, BroadcastService.Target(id),
            new { tenant, broadcast.Channels }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await wakeUps.PublishAsync(WakeUps.Events);
        return new Result.Done(new BroadcastSendReceipt(id, true, [tenant], broadcast.Channels, events.Count, null, now), null);
    }

    public async Task<Result> SendAsync(DirectMessageOperator sender, Guid id, CancellationToken cancellationToken)
    {
        var broadcast = await LoadAsync(id, cancellationToken);
        if (Refusal(broadcast) is { } refused)
        {
            return refused;
        }

        var now = time.GetUtcNow();
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var since = now - TestSendWindow;
            if (!await db.SysBroadcastTestSends.AnyAsync(t => t.BroadcastId == id && t.OperatorId == sender.Id && t.TestSentAt > since, cancellationToken))
            {
                return new Result.Refused(new BroadcastOutcome.TestSendRequired());
            }
        }

        var audience = BroadcastAudience.FromJson(broadcast!.Audience);
        var tenants = await TenantsAsync(audience, cancellationToken);
        var selector = JsonDocument.Parse(audience.SelectorJson());
        var events = new List<EventRecord>();
        using (selector)
        {
            foreach (var tenant in tenants)
            {
                var snapshot = await SnapshotAsync(tenant, broadcast, cancellationToken);
                foreach (var channel in broadcast.Channels.Where(c => c != BroadcastChannels.Banner))
                {
                    var (record, problem) = await AdmitAsync(snapshot, broadcast, channel, sender, recipient: null, selector.RootElement, now);
                    if (problem is not null)
                    {
                        return new Result.Failed(problem.Code, problem.Detail);
                    }

                    events.Add(record!);
                }
            }
        }

        return await CommitSendAsync(sender, broadcast, audience, tenants, events, now, cancellationToken);
    }

    private async Task<Result> CommitSendAsync(
        DirectMessageOperator sender, SysBroadcast broadcast, BroadcastAudience audience, IReadOnlyList<string> tenants, List<EventRecord> events,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        BannerActivation? activation = null;
        if (broadcast.Channels.Contains(BroadcastChannels.Banner))
        {
            var content = BroadcastContent.Parse(broadcast.Content)[BroadcastChannels.Banner];
            var template = new BannerTemplate
            {
                Id = Guid.CreateVersion7(now), Kind = broadcast.BannerKind, Title = content.Subject!, Body = content.Body!, Severity = broadcast.BannerSeverity,
                Dismissible = true, CreatedAt = now, UpdatedAt = now,
            };
            activation = new BannerActivation
            {
                Id = Guid.CreateVersion7(now), TemplateId = template.Id, StartsAt = now, EndsAt = broadcast.BannerEndsAt,
                Tenants = [.. audience.Tenants], Roles = [.. audience.Roles], StartPushedAt = now,
                EndPushedAt = broadcast.BannerEndsAt <= now ? now : null, CreatedAt = now, UpdatedAt = now,
            };
            db.BannerTemplates.Add(template);
            db.BannerActivations.Add(activation);
            await db.SaveChangesAsync(cancellationToken);
        }

        var eventIds = events.Select(e => e.Id).ToArray();
        var started = await db.SysBroadcasts.Where(b => b.Id == broadcast.Id && b.Status == BroadcastStatus.Draft)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, BroadcastStatus.Sending).SetProperty(b => b.EventIds, eventIds)
                .SetProperty(b => b.SentBy, sender.Actor).SetProperty(b => b.SendStartedAt, now).SetProperty(b => b.UpdatedAt, now)
                .SetProperty(b => b.BannerActivationId, activation == null ? null : activation.Id), cancellationToken);
        if (started == 0)
        {
            return new Result.Refused(new BroadcastOutcome.WrongState(BroadcastStatus.Sending));
        }

        var (connection, npgsqlTransaction) = Raw(db, transaction);
        if (events.Count > 0)
        {
            await IntakeBatch.InsertEventsAsync(connection, npgsqlTransaction, events, cancellationToken);
        }

        await audit.AppendAsync(connection, npgsqlTransaction, null, sender.Actor, SentAction, BroadcastService.Target(broadcast.Id),
            new { tenants = tenants.Count, broadcast.Channels, events = events.Count, bannerActivationId = activation?.Id }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Diagnostics.CommsTelemetry.EventsAccepted.Add(events.Count);
        if (events.Count > 0)
        {
            await wakeUps.PublishAsync(WakeUps.Events);
        }

        return new Result.Done(new BroadcastSendReceipt(broadcast.Id, false, tenants, broadcast.Channels, events.Count, activation?.Id, now),
            activation is null ? null : BannerAudience.Of(activation));
    }

    private static (NpgsqlConnection, NpgsqlTransaction) Raw(CommsDbContext db, IDbContextTransaction transaction) =>
        ((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)transaction.GetDbTransaction());

    private static Result? Refusal(SysBroadcast? broadcast) => broadcast switch
    {
        null => new Result.Refused(new BroadcastOutcome.NotFound()),
        { Status: not BroadcastStatus.Draft } => new Result.Refused(new BroadcastOutcome.WrongState(broadcast.Status)),
        _ => null,
    };

    private static Task<(EventRecord? Event, AdmissionProblem? Problem)> AdmitAsync(
        TenantSnapshot snapshot, SysBroadcast broadcast, string channel, DirectMessageOperator sender, string? recipient, JsonElement? audience,
        DateTimeOffset now)
    {
        var submission = new EventSubmission
        {
            Name = BroadcastCatalog.EventName(broadcast.Id, BroadcastCatalog.PipelineChannel(channel)),
            Recipients = recipient is null ? null : [recipient], Audience = audience,
            // Each test send is a cause of its own (routing keeps one message per recipient, template version and cause).
            CauseRef = recipient is null ? $"sys-broadcast:{broadcast.Id}" : $"sys-broadcast-test:{broadcast.Id}:{now.ToUnixTimeMilliseconds()}",
            Actor = sender.Actor,
        };
        return EventAdmission.AdmitAsync(snapshot, submission, null, null, now);
    }

    private async Task<SysBroadcast?> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.SysBroadcasts.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, cancellationToken);
    }

    /// <summary>The tenant's snapshot with this broadcast's rules and templates (added now if it lacks them).</summary>
    private async Task<TenantSnapshot> SnapshotAsync(string tenantId, SysBroadcast broadcast, CancellationToken cancellationToken)
    {
        if (await BroadcastCatalog.EnsureAsync(contexts, tenantId, broadcast, time.GetUtcNow(), cancellationToken))
        {
            await changes.PublishAsync(tenantId);
        }

        return await catalog.GetAsync(tenantId, cancellationToken) ?? throw new InvalidOperationException($"Tenant '{tenantId}' vanished.");
    }

    private async Task<string?> FirstTenantAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Tenants.OrderBy(t => t.Id).Select(t => t.Id).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The tenants in which the audience has at least one recipient now.</summary>
    private async Task<IReadOnlyList<string>> TenantsAsync(BroadcastAudience audience, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand();
        command.CommandText = $"""
            SELECT t.id FROM tenants t
             WHERE EXISTS (SELECT 1 FROM recipients r WHERE r.tenant_id = t.id AND {audience.Where(command.Parameters)})
             ORDER BY t.id
            """;
        var tenants = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tenants.Add(reader.GetString(0));
        }

        return tenants;
    }
}
