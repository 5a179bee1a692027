using System.Text.RegularExpressions;
using Comms.Core.Data;
using Comms.Core.Messages;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Links;

/// <summary>The clicks of one tracked link of a message: its index, where it leads (from the render) and how often it was followed.</summary>
public sealed record LinkClickCount(int Index, string? Url, int Clicks);

/// <summary>The clicks of a message: in total, and per tracked link (every link of the render, clicked or not).</summary>
public sealed record MessageClicks(int Total, IReadOnlyList<LinkClickCount> Links);

/// <summary>Recording clicks (the <c>/r/{token}</c> endpoint) and counting them (a message's details).</summary>
public static partial class LinkClicks
{
    /// <summary>Records a click on link <c>claims.Index</c> of the message; false when the tenant has no such message (any more).</summary>
    public static async Task<bool> RecordAsync(CommsDbContext db, LinkClaims claims, DateTimeOffset now, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO link_clicks (message_id, tenant_id, link_index, clicked_at)
            SELECT m.id, m.tenant_id, {claims.Index}, {now} FROM messages m WHERE m.id = {claims.MessageId} AND m.tenant_id = {claims.TenantId}
            """, cancellationToken) > 0;

    public static async Task<MessageClicks> ForMessageAsync(CommsDbContext db, string tenantId, Guid messageId, CancellationToken cancellationToken)
    {
        var counts = await db.LinkClicks.AsNoTracking()
            .Where(c => c.TenantId == tenantId && c.MessageId == messageId)
            .GroupBy(c => c.LinkIndex)
            .Select(g => new { Index = g.Key, Clicks = g.Count() })
            .ToDictionaryAsync(g => g.Index, g => g.Clicks, cancellationToken);
        var render = await db.MessageRenders.AsNoTracking()
            .Where(r => r.MessageId == messageId && r.TenantId == tenantId)
            .Select(r => r.Content)
            .FirstOrDefaultAsync(cancellationToken);
        var links = TrackedIn(render, messageId);
        var rows = links.Select(l => new LinkClickCount(l.Key, l.Value, counts.GetValueOrDefault(l.Key)))
            .Concat(counts.Where(c => !links.ContainsKey(c.Key)).Select(c => new LinkClickCount(c.Key, null, c.Value)))
            .OrderBy(l => l.Index)
            .ToList();
        return new MessageClicks(counts.Values.Sum(), rows);
    }

    /// <summary>The tracked links of a render (index → target), read from its own tokens.</summary>
    public static SortedDictionary<int, string> TrackedIn(RenderedContent? content, Guid messageId)
    {
        var links = new SortedDictionary<int, string>();
        foreach (var text in new[] { content?.Html, content?.Link, content?.BodyHtml })
        {
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            foreach (Match match in TokenPattern().Matches(text))
            {
                if (LinkToken.ReadUnverified(match.Groups[1].Value) is { } claims && claims.MessageId == messageId)
                {
                    links.TryAdd(claims.Index, claims.Target);
                }
            }
        }

        return links;
    }

    [GeneratedRegex("/r/([A-Za-z0-9_-]{20,4096})")]
    private static partial Regex TokenPattern();
}
