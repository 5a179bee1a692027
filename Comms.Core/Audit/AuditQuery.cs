using System.Globalization;
using System.Text.Json;
using Comms.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Audit;

/// <summary>
/// The filters of <c>GET /sys/audit</c> and the console's audit page: each optional; an action ending in <c>.</c> is a
/// prefix. <see cref="Scope"/> (the console's operators with tenant grants) keeps only those tenants' rows — never
/// platform rows; null = every row.
/// </summary>
public sealed record AuditFilter(string? Actor, string? Action, string? Target, DateTimeOffset? From, DateTimeOffset? To, long? Before, int Limit,
    string? Tenant = null, IReadOnlyList<string>? Scope = null);

/// <summary>One audit row as the API shows it.</summary>
public sealed record AuditEntryView(long Id, string? TenantId, string Actor, string Action, string Target, JsonElement? Metadata, DateTimeOffset CreatedAt);

public sealed record AuditPage(IReadOnlyList<AuditEntryView> Items, string? NextCursor);

/// <summary>Reads the append-only audit log, newest first (by id: rows are appended in time order), a page at a time.</summary>
public sealed class AuditQuery(IDbContextFactory<CommsDbContext> contexts)
{
    public const int MaxLimit = 200;

    public async Task<AuditPage> ListAsync(AuditFilter filter, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.AuditLog.AsNoTracking();
        if (filter.Scope is { } scope)
        {
            query = query.Where(a => a.TenantId != null && scope.Contains(a.TenantId));
        }

        if (filter.Tenant is { } tenant)
        {
            query = query.Where(a => a.TenantId == tenant);
        }

        if (filter.Actor is { } actor)
        {
            query = query.Where(a => a.Actor == actor);
        }

        if (filter.Action is { } action)
        {
            if (action.EndsWith('.'))
            {
                var pattern = EscapeLike(action) + "%";
                query = query.Where(a => EF.Functions.Like(a.Action, pattern, "\\"));
            }
            else
            {
                query = query.Where(a => a.Action == action);
            }
        }

        if (filter.Target is { } target)
        {
            query = query.Where(a => a.Target == target);
        }

        if (filter.From is { } from)
        {
            query = query.Where(a => a.CreatedAt >= from);
        }

        if (filter.To is { } to)
        {
            query = query.Where(a => a.CreatedAt < to);
        }

        if (filter.Before is { } before)
        {
            query = query.Where(a => a.Id < before);
        }

        var rows = await query.OrderByDescending(a => a.Id).Take(filter.Limit + 1).ToListAsync(cancellationToken);
        var items = rows.Take(filter.Limit).Select(View).ToList();
        return new AuditPage(items, rows.Count > filter.Limit ? Cursor(items[^1].Id) : null);
    }

    public static string Cursor(long id) => "a" + id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The id a cursor names, or null when it is not one of ours.</summary>
    public static long? ReadCursor(string cursor) =>
        cursor.Length > 1 && cursor[0] == 'a' && long.TryParse(cursor.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    private static AuditEntryView View(AuditRecord a)
    {
        JsonElement? metadata = null;
        if (a.Metadata is { } json)
        {
            using var document = JsonDocument.Parse(json);
            metadata = document.RootElement.Clone();
        }

        return new AuditEntryView(a.Id, a.TenantId, a.Actor, a.Action, a.Target, metadata, a.CreatedAt);
    }

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
