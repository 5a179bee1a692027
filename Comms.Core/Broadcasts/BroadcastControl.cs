using Comms.Core.Audit;
using Comms.Core.Banners;
using Comms.Core.Data;
using Comms.Core.Queueing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Comms.Core.Broadcasts;

/// <summary>
/// Pause, resume and cancel of a sending broadcast, each one transaction that loses nothing and sends nothing twice.
/// Pause moves the due time of its events still to be expanded and its queued, unclaimed messages 1000 years ahead and
/// clears the events' leases (a dispatcher in the middle of expanding one is fenced out by its claim token and writes
/// nothing more); resume moves them back, so quiet-hours deferrals keep their time. A message already claimed by a
/// sender finishes (it is sent once). Cancel dead-letters what is not yet expanded, cancels the queued, unclaimed
/// messages and ends the banner.
/// </summary>
public sealed class BroadcastControl(IDbContextFactory<CommsDbContext> contexts, AuditLog audit, WakeUps wakeUps, TimeProvider time)
{
    public const string PausedAction = "sys.broadcast.paused";
    public const string ResumedAction = "sys.broadcast.resumed";
    public const string CancelledAction = "sys.broadcast.cancelled";

    public abstract record Result
    {
        public sealed record Done(BannerAudience? Banner) : Result;
        public sealed record Refused(BroadcastOutcome Outcome) : Result;
    }

    public Task<Result> PauseAsync(Guid id, string actor, CancellationToken cancellationToken) =>
        ChangeAsync(id, actor, [BroadcastStatus.Sending], BroadcastStatus.Paused, PausedAction, """
            UPDATE events SET due_at = due_at + interval '1000 years', lease_owner = NULL, lease_until = NULL, claim_token = NULL
             WHERE id = ANY(@ids) AND status = 'pending';
            UPDATE messages SET due_at = due_at + interval '1000 years'
             WHERE event_id = ANY(@ids) AND status = 'queued' AND (lease_until IS NULL OR lease_until < @now);
            """, cancellationToken);

    public Task<Result> ResumeAsync(Guid id, string actor, CancellationToken cancellationToken) =>
        ChangeAsync(id, actor, [BroadcastStatus.Paused], BroadcastStatus.Sending, ResumedAction, """
            UPDATE events SET due_at = due_at - interval '1000 years'
             WHERE id = ANY(@ids) AND status = 'pending' AND due_at > @now + interval '500 years';
            UPDATE messages SET due_at = due_at - interval '1000 years'
             WHERE event_id = ANY(@ids) AND status = 'queued' AND due_at > @now + interval '500 years';
            """, cancellationToken);

    public Task<Result> CancelAsync(Guid id, string actor, CancellationToken cancellationToken) =>
        ChangeAsync(id, actor, [BroadcastStatus.Sending, BroadcastStatus.Paused], BroadcastStatus.Cancelled, CancelledAction, """
            UPDATE events SET status = 'failed', failed_at = @now, error = 'The broadcast was cancelled.',
                   lease_owner = NULL, lease_until = NULL, claim_token = NULL
             WHERE id = ANY(@ids) AND status = 'pending';
            UPDATE messages SET status = 'cancelled', last_error = 'The broadcast was cancelled.'
             WHERE event_id = ANY(@ids) AND status = 'queued' AND (lease_until IS NULL OR lease_until < @now);
            UPDATE banner_activations SET ends_at = @now, end_pushed_at = @now, updated_at = @now
             WHERE id = @banner AND (ends_at IS NULL OR ends_at > @now);
            """, cancellationToken);

    private async Task<Result> ChangeAsync(
        Guid id, string actor, string[] from, string to, string action, string sql, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var broadcast = await db.SysBroadcasts.FromSql($"SELECT * FROM sys_broadcasts WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);
        if (broadcast is null)
        {
            return new Result.Refused(new BroadcastOutcome.NotFound());
        }

        if (!from.Contains(broadcast.Status))
        {
            return new Result.Refused(new BroadcastOutcome.WrongState(broadcast.Status));
        }

        var now = time.GetUtcNow();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var npgsqlTransaction = (NpgsqlTransaction)transaction.GetDbTransaction();
        await using (var command = new NpgsqlCommand(sql, connection, npgsqlTransaction))
        {
            command.Parameters.AddWithValue("ids", broadcast.EventIds);
            command.Parameters.AddWithValue("now", now);
            command.Parameters.AddWithValue("banner", (object?)broadcast.BannerActivationId ?? DBNull.Value);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var before = broadcast.Status;
        broadcast.Status = to;
        broadcast.UpdatedAt = now;
        broadcast.PausedAt = to == BroadcastStatus.Paused ? now : broadcast.PausedAt;
        broadcast.CancelledAt = to == BroadcastStatus.Cancelled ? now : null;
        audit.Add(db, null, actor, action, BroadcastService.Target(id), new { from = before, to });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (to == BroadcastStatus.Sending)
        {
            await wakeUps.PublishAsync(WakeUps.Events);
            foreach (var channel in broadcast.Channels.Where(c => c != BroadcastChannels.Banner))
            {
                await wakeUps.PublishAsync(WakeUps.MessagesFor(channel));
            }
        }

        if (to != BroadcastStatus.Cancelled || broadcast.BannerActivationId is null)
        {
            return new Result.Done(null);
        }

        var tenants = BroadcastAudience.FromJson(broadcast.Audience).Tenants;
        return new Result.Done(new BannerAudience(tenants.Count == 0, tenants));
    }
}
