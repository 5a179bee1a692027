using Comms.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Templates;

/// <summary>What lists show of a template row: everything but its content.</summary>
public sealed record TemplateInfo(
    string Name,
    string Channel,
    string Locale,
    int? Version,
    string Status,
    string? Category,
    string? CreatedBy,
    string? SubmittedBy,
    string? ApprovedBy,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? PublishedAt);

/// <summary>Reads of the templates feature; every query is scoped to one tenant.</summary>
public static class TemplateQueries
{
    /// <summary>The draft (<paramref name="version"/> = null) or a published version of a template.</summary>
    public static Task<Template?> FindAsync(CommsDbContext db, TemplateKey key, int? version, CancellationToken cancellationToken) =>
        db.Templates.AsNoTracking().FirstOrDefaultAsync(
            t => t.TenantId == key.TenantId && t.Name == key.Name && t.Channel == key.Channel && t.Locale == key.Locale
                && t.Version == version,
            cancellationToken);

    /// <summary>The drafts of a template name, with their content, by channel and locale.</summary>
    public static Task<List<Template>> DraftsAsync(CommsDbContext db, string tenantId, string name, CancellationToken cancellationToken) =>
        db.Templates.AsNoTracking()
            .Where(t => t.TenantId == tenantId && t.Name == name && t.Version == null)
            .OrderBy(t => t.Channel).ThenBy(t => t.Locale)
            .ToListAsync(cancellationToken);

    /// <summary>Every row of the tenant (or of one name), without content, ordered by name, channel, locale, version.</summary>
    public static Task<List<TemplateInfo>> InfosAsync(CommsDbContext db, string tenantId, string? name, CancellationToken cancellationToken) =>
        db.Templates.AsNoTracking()
            .Where(t => t.TenantId == tenantId && (name == null || t.Name == name))
            .OrderBy(t => t.Name).ThenBy(t => t.Channel).ThenBy(t => t.Locale).ThenBy(t => t.Version)
            .Select(t => new TemplateInfo(t.Name, t.Channel, t.Locale, t.Version, t.Status, t.Category,
                t.CreatedBy, t.SubmittedBy, t.ApprovedBy, t.UpdatedAt, t.PublishedAt))
            .ToListAsync(cancellationToken);
}
