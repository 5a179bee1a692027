using Comms.Core.Audit;
using Comms.Core.Data;
using Comms.Core.Templates;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Banners;

/// <summary>
/// Platform banners (issue 12): templates and their activations (operators), what a user sees now, and dismissals.
/// Every write appends its audit row in the same transaction. Live pushes are the caller's (they need the hub).
/// </summary>
public sealed class BannerService(IDbContextFactory<CommsDbContext> contexts, AuditLog audit, TimeProvider time)
{
    public async Task<IReadOnlyList<BannerTemplateView>> ListTemplatesAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var templates = await db.BannerTemplates.AsNoTracking().OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).ToListAsync(cancellationToken);
        return templates.Select(BannerTemplateView.From).ToList();
    }

    public async Task<BannerTemplateView?> GetTemplateAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.BannerTemplates.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken) is { } t ? BannerTemplateView.From(t) : null;
    }

    public async Task<BannerTemplateView> CreateTemplateAsync(BannerTemplateRequest request, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var template = new BannerTemplate
        {
            Id = Guid.CreateVersion7(now), Kind = request.Kind!, Title = request.Title!, Body = request.Body!, Link = request.Link,
            Severity = request.Severity ?? "info", Dismissible = request.Dismissible ?? true, CreatedAt = now, UpdatedAt = now,
        };
        db.BannerTemplates.Add(template);
        audit.Add(db, null, actor, "sys.banner_template.created", $"banner_template:{template.Id}", new { template.Kind, template.Severity });
        await db.SaveChangesAsync(cancellationToken);
        return BannerTemplateView.From(template);
    }

    /// <summary>Replaces a template; answers null when it does not exist, and the audience of its activations (who sees the change).</summary>
    public async Task<(BannerTemplateView? Template, BannerAudience? Audience)> UpdateTemplateAsync(
        Guid id, BannerTemplateRequest request, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var template = await db.BannerTemplates.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (template is null)
        {
            return (null, null);
        }

        (template.Kind, template.Title, template.Body, template.Link) = (request.Kind!, request.Title!, request.Body!, request.Link);
        template.Severity = request.Severity ?? "info";
        template.Dismissible = request.Dismissible ?? true;
        template.UpdatedAt = time.GetUtcNow();
        audit.Add(db, null, actor, "sys.banner_template.updated", $"banner_template:{id}", new { template.Kind, template.Severity });
        await db.SaveChangesAsync(cancellationToken);
        return (BannerTemplateView.From(template), await AudienceOfTemplateAsync(db, id, cancellationToken));
    }

    /// <summary>Deletes a template and its activations; null when it does not exist.</summary>
    public async Task<BannerAudience?> DeleteTemplateAsync(Guid id, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var template = await db.BannerTemplates.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (template is null)
        {
            return null;
        }

        var audience = await AudienceOfTemplateAsync(db, id, cancellationToken);
        db.BannerTemplates.Remove(template);
        audit.Add(db, null, actor, "sys.banner_template.deleted", $"banner_template:{id}");
        await db.SaveChangesAsync(cancellationToken);
        return audience;
    }

    public async Task<IReadOnlyList<BannerActivationView>> ListActivationsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var activations = await db.BannerActivations.AsNoTracking().OrderBy(a => a.StartsAt).ThenBy(a => a.Id).ToListAsync(cancellationToken);
        return activations.Select(BannerActivationView.From).ToList();
    }

    public async Task<BannerActivationView?> GetActivationAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.BannerActivations.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken) is { } a ? BannerActivationView.From(a) : null;
    }

    /// <summary>Whether the template exists, and the errors of audience tenants that do not.</summary>
    public async Task<(bool TemplateExists, Dictionary<string, string[]> Errors)> CheckReferencesAsync(
        BannerActivationRequest request, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var exists = await db.BannerTemplates.AnyAsync(t => t.Id == request.TemplateId, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        var tenants = request.Tenants ?? [];
        if (tenants.Count > 0)
        {
            var known = await db.Tenants.Where(t => tenants.Contains(t.Id)).Select(t => t.Id).ToListAsync(cancellationToken);
            for (var i = 0; i < tenants.Count; i++)
            {
                if (!known.Contains(tenants[i]))
                {
                    errors[$"tenants[{i}]"] = [$"No tenant '{tenants[i]}' exists."];
                }
            }
        }

        return (exists, errors);
    }

    public async Task<(BannerActivationView View, BannerAudience Audience)> CreateActivationAsync(
        BannerActivationRequest request, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var activation = new BannerActivation { Id = Guid.CreateVersion7(now), CreatedAt = now };
        Apply(activation, request, now);
        db.BannerActivations.Add(activation);
        audit.Add(db, null, actor, "sys.banner_activation.created", $"banner_activation:{activation.Id}",
            new { activation.TemplateId, activation.StartsAt, activation.EndsAt, tenants = activation.Tenants.Length, roles = activation.Roles });
        await db.SaveChangesAsync(cancellationToken);
        return (BannerActivationView.From(activation), BannerAudience.Of(activation));
    }

    public async Task<(BannerActivationView? View, BannerAudience? Audience)> UpdateActivationAsync(
        Guid id, BannerActivationRequest request, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var activation = await db.BannerActivations.FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (activation is null)
        {
            return (null, null);
        }

        var before = new BannerActivation { Tenants = activation.Tenants };
        Apply(activation, request, time.GetUtcNow());
        audit.Add(db, null, actor, "sys.banner_activation.updated", $"banner_activation:{id}",
            new { activation.TemplateId, activation.StartsAt, activation.EndsAt, tenants = activation.Tenants.Length, roles = activation.Roles });
        await db.SaveChangesAsync(cancellationToken);
        return (BannerActivationView.From(activation), BannerAudience.Of(before, activation));
    }

    public async Task<BannerAudience?> DeleteActivationAsync(Guid id, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var activation = await db.BannerActivations.FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (activation is null)
        {
            return null;
        }

        db.BannerActivations.Remove(activation);
        audit.Add(db, null, actor, "sys.banner_activation.deleted", $"banner_activation:{id}");
        await db.SaveChangesAsync(cancellationToken);
        return BannerAudience.Of(activation);
    }

    /// <summary>The banners active now for this user (their tenant and roles), minus the ones they dismissed.</summary>
    public async Task<IReadOnlyList<MyBanner>> ForUserAsync(string tenantId, string externalId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var roles = await db.Recipients.AsNoTracking().Where(r => r.TenantId == tenantId && r.ExternalId == externalId)
            .Select(r => r.Roles).FirstOrDefaultAsync(cancellationToken) ?? [];
        var now = time.GetUtcNow();
        var rows = await (
            from a in db.BannerActivations.AsNoTracking()
            join t in db.BannerTemplates.AsNoTracking() on a.TemplateId equals t.Id
            where a.StartsAt <= now && (a.EndsAt == null || a.EndsAt > now)
                && (a.Tenants.Length == 0 || a.Tenants.Contains(tenantId))
                && (a.Roles.Length == 0 || a.Roles.Any(r => roles.Contains(r)))
                && !db.BannerDismissals.Any(d => d.ActivationId == a.Id && d.TenantId == tenantId && d.ExternalId == externalId)
            orderby a.StartsAt, a.Id
            select new { a, t }).ToListAsync(cancellationToken);
        return rows.Select(r => new MyBanner(
            r.a.Id, r.t.Kind, r.t.Title, MarkdownRenderer.ToSafeHtml(r.t.Body), r.t.Severity, r.t.Link, r.t.Dismissible, r.a.StartsAt, r.a.EndsAt)).ToList();
    }

    /// <summary>Remembers that this user dismissed the activation (idempotent). Only a banner the user can see now can be dismissed.</summary>
    public async Task<DismissOutcome> DismissAsync(string tenantId, string externalId, Guid activationId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var roles = await db.Recipients.AsNoTracking().Where(r => r.TenantId == tenantId && r.ExternalId == externalId)
            .Select(r => r.Roles).FirstOrDefaultAsync(cancellationToken) ?? [];
        var found = await (
            from a in db.BannerActivations.AsNoTracking()
            join t in db.BannerTemplates.AsNoTracking() on a.TemplateId equals t.Id
            where a.Id == activationId
                && (a.Tenants.Length == 0 || a.Tenants.Contains(tenantId))
                && (a.Roles.Length == 0 || a.Roles.Any(r => roles.Contains(r)))
            select new { t.Dismissible }).FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return DismissOutcome.NotFound;
        }

        if (!found.Dismissible)
        {
            return DismissOutcome.NotDismissible;
        }

        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO banner_dismissals (activation_id, tenant_id, external_id, dismissed_at)
            VALUES ({activationId}, {tenantId}, {externalId}, {time.GetUtcNow()})
            ON CONFLICT DO NOTHING
            """, cancellationToken);
        return DismissOutcome.Dismissed;
    }

    /// <summary>
    /// Claims the starts and ends that are due (each instant once, whoever runs this: the UPDATE sets its pushed-at column
    /// atomically) and answers who to tell, and when the next start or end is due.
    /// </summary>
    public async Task<(IReadOnlyList<BannerAudience> Due, DateTimeOffset? Next)> ClaimDueAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var started = await db.Database.SqlQuery<string[]>($"""
            UPDATE banner_activations SET start_pushed_at = {now}
            WHERE start_pushed_at IS NULL AND starts_at <= {now}
            RETURNING tenants AS "Value"
            """).ToListAsync(cancellationToken);
        var ended = await db.Database.SqlQuery<string[]>($"""
            UPDATE banner_activations SET end_pushed_at = {now}
            WHERE end_pushed_at IS NULL AND ends_at <= {now}
            RETURNING tenants AS "Value"
            """).ToListAsync(cancellationToken);
        var due = started.Concat(ended).Select(t => BannerAudience.Of(new BannerActivation { Tenants = t })).ToList();
        var nextStart = await db.BannerActivations.Where(a => a.StartPushedAt == null).MinAsync(a => (DateTimeOffset?)a.StartsAt, cancellationToken);
        var nextEnd = await db.BannerActivations.Where(a => a.EndPushedAt == null && a.EndsAt != null).MinAsync(a => a.EndsAt, cancellationToken);
        DateTimeOffset? next = nextStart is null ? nextEnd : nextEnd is null ? nextStart : (nextStart < nextEnd ? nextStart : nextEnd);
        return (due, next);
    }

    private static void Apply(BannerActivation activation, BannerActivationRequest request, DateTimeOffset now)
    {
        activation.TemplateId = request.TemplateId!.Value;
        activation.StartsAt = request.StartsAt!.Value;
        activation.EndsAt = request.EndsAt;
        activation.Tenants = (request.Tenants ?? []).Distinct(StringComparer.Ordinal).ToArray();
        activation.Roles = (request.Roles ?? []).Distinct(StringComparer.Ordinal).ToArray();
        activation.UpdatedAt = now;
        // Instants already past were pushed by this change itself; the scheduler pushes the ones still to come.
        activation.StartPushedAt = activation.StartsAt <= now ? now : null;
        activation.EndPushedAt = activation.EndsAt <= now ? now : null;
    }

    private static async Task<BannerAudience?> AudienceOfTemplateAsync(CommsDbContext db, Guid templateId, CancellationToken cancellationToken)
    {
        var activations = await db.BannerActivations.AsNoTracking().Where(a => a.TemplateId == templateId).ToListAsync(cancellationToken);
        return activations.Count == 0 ? null : BannerAudience.Of([.. activations]);
    }
}
