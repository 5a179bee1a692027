using Comms.Core.Audit;
using Comms.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Comms.Core.Broadcasts;

/// <summary>The outcome of a change to a broadcast: done, or why not.</summary>
public abstract record BroadcastOutcome
{
    public sealed record Done(BroadcastView View) : BroadcastOutcome;
    public sealed record NotFound : BroadcastOutcome;
    public sealed record WrongState(string Status) : BroadcastOutcome;
    public sealed record Invalid(Dictionary<string, string[]> Errors) : BroadcastOutcome;
    public sealed record TestSendRequired : BroadcastOutcome;
}

/// <summary>
/// Broadcast drafts (issue 12): create, change while a draft (a change clears every operator's test send, so the text
/// that goes out is the text that was tested), read with live progress, page, and count the audience. Every write is audited.
/// </summary>
public sealed class BroadcastService(
    IDbContextFactory<CommsDbContext> contexts, NpgsqlDataSource dataSource, BroadcastProgress progress, AuditLog audit, TimeProvider time)
{
    public const string CreatedAction = "sys.broadcast.created";
    public const string UpdatedAction = "sys.broadcast.updated";

    public static string Target(Guid id) => "broadcast:" + id;

    public async Task<BroadcastOutcome> CreateAsync(BroadcastRequest request, BroadcastAudience audience, string actor, CancellationToken cancellationToken)
    {
        if (await UnknownTenantsAsync(audience, cancellationToken) is { Count: > 0 } errors)
        {
            return new BroadcastOutcome.Invalid(errors);
        }

        var now = time.GetUtcNow();
        var broadcast = new SysBroadcast
        {
            Id = Guid.CreateVersion7(now), Title = request.Title!, Audience = audience.ToJson(), Content = "{}", CreatedBy = actor, CreatedAt = now,
        };
        Apply(broadcast, request, audience, now);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.SysBroadcasts.Add(broadcast);
        audit.Add(db, null, actor, CreatedAction, Target(broadcast.Id), new { broadcast.Title, broadcast.Channels, audience = broadcast.Audience });
        await db.SaveChangesAsync(cancellationToken);
        return new BroadcastOutcome.Done(BroadcastView.From(broadcast));
    }

    public async Task<BroadcastOutcome> UpdateAsync(
        Guid id, BroadcastRequest request, BroadcastAudience audience, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var broadcast = await db.SysBroadcasts.FromSql($"SELECT * FROM sys_broadcasts WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);
        if (broadcast is null)
        {
            return new BroadcastOutcome.NotFound();
        }

        if (broadcast.Status != BroadcastStatus.Draft)
        {
            return new BroadcastOutcome.WrongState(broadcast.Status);
        }

        if (await UnknownTenantsAsync(audience, cancellationToken) is { Count: > 0 } errors)
        {
            return new BroadcastOutcome.Invalid(errors);
        }

        var now = time.GetUtcNow();
        broadcast.Title = request.Title!;
        Apply(broadcast, request, audience, now);
        await db.SysBroadcastTestSends.Where(t => t.BroadcastId == id).ExecuteDeleteAsync(cancellationToken);
        audit.Add(db, null, actor, UpdatedAction, Target(id), new { broadcast.Title, broadcast.Channels, audience = broadcast.Audience });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new BroadcastOutcome.Done(BroadcastView.From(broadcast));
    }

    private static void Apply(SysBroadcast broadcast, BroadcastRequest request, BroadcastAudience audience, DateTimeOffset now)
    {
        broadcast.Audience = audience.ToJson();
        broadcast.Channels = [.. request.Channels!];
        broadcast.Content = BroadcastContent.ToJson(BroadcastContent.Resolve(request));
        broadcast.BannerKind = request.Banner?.Kind ?? "maintenance";
        broadcast.BannerSeverity = request.Banner?.Severity ?? "info";
        broadcast.BannerEndsAt = request.Banner?.EndsAt;
        broadcast.UpdatedAt = now;
    }

    /// <summary>The broadcast with its progress; a sending broadcast whose work is all done is marked sent here.</summary>
    public async Task<BroadcastView?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var broadcast = await db.SysBroadcasts.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, cancellationToken);
        if (broadcast is null)
        {
            return null;
        }

        if (broadcast.Status == BroadcastStatus.Draft)
        {
            return BroadcastView.From(broadcast);
        }

        // Finished first, counted after: counts read before the check could show a message still queued beside "sent".
        if (broadcast.Status == BroadcastStatus.Sending && await progress.FinishIfDoneAsync(broadcast, cancellationToken) is { } sentAt)
        {
            broadcast.Status = BroadcastStatus.Sent;
            broadcast.SentAt = sentAt;
        }

        var counts = await progress.CountAsync(broadcast, cancellationToken);
        return BroadcastView.From(broadcast, counts);
    }

    /// <summary>Newest first; <paramref name="after"/> is the last id of the previous page.</summary>
    public async Task<BroadcastPage> ListAsync(Guid? after, string? status, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.SysBroadcasts.AsNoTracking();
        if (after is { } cursor)
        {
            query = query.Where(b => b.Id.CompareTo(cursor) < 0);
        }

        if (status is not null)
        {
            query = query.Where(b => b.Status == status);
        }

        var rows = await query.OrderByDescending(b => b.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var page = rows.Take(limit).Select(b => BroadcastView.From(b)).ToList();
        return new BroadcastPage(page, rows.Count > limit ? page[^1].Id.ToString() : null);
    }

    /// <summary>The broadcast's audience, or null when there is no such broadcast.</summary>
    public async Task<BroadcastAudience?> GetAudienceAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var json = await db.SysBroadcasts.Where(b => b.Id == id).Select(b => b.Audience).SingleOrDefaultAsync(cancellationToken);
        return json is null ? null : BroadcastAudience.FromJson(json);
    }

    /// <summary>How many recipients (and in how many tenants) the audience reaches now.</summary>
    public async Task<BroadcastAudienceCount> CountAsync(BroadcastAudience audience, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand();
        command.CommandText = $"SELECT count(*), count(DISTINCT r.tenant_id) FROM recipients r WHERE {audience.Where(command.Parameters)}";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new BroadcastAudienceCount(reader.GetInt64(0), (int)reader.GetInt64(1));
    }

    /// <summary>The tenants an audience names that do not exist, as errors under <c>audience.tenants</c>.</summary>
    private async Task<Dictionary<string, string[]>> UnknownTenantsAsync(BroadcastAudience audience, CancellationToken cancellationToken)
    {
        if (audience.Tenants.Count == 0)
        {
            return [];
        }

        var names = audience.Tenants.ToArray();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var known = await db.Tenants.Where(t => names.Contains(t.Id)).Select(t => t.Id).ToListAsync(cancellationToken);
        var unknown = names.Except(known, StringComparer.Ordinal).ToList();
        return unknown.Count == 0 ? [] : new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["audience.tenants"] = [$"Unknown tenants: {string.Join(", ", unknown)}."],
        };
    }
}
