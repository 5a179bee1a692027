using Comms.Core.Data;
using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Routing;
using Comms.Core.Templates;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Broadcasts;

/// <summary>
/// The routing rules and templates through which a broadcast reaches a tenant's users — the normal pipeline, so the
/// operator's Liquid renders per recipient like any template: template <c>sys.broadcast.{id}</c> (en-US, version 1,
/// category <c>account</c>) with the broadcast's subject and body per channel, and one rule per channel,
/// <c>sys.broadcast.{id}.{channel}</c>. Added to a tenant when the broadcast is test-sent or sent there. The banner
/// channel's in-app template serves the operator's own test only (users see the banner).
/// </summary>
public static class BroadcastCatalog
{
    public const string Category = Categories.Account;

    public static string TemplateName(Guid broadcastId) => $"sys.broadcast.{broadcastId:N}";

    public static string EventName(Guid broadcastId, string channel) => $"{TemplateName(broadcastId)}.{channel}";

    /// <summary>The pipeline channel of a broadcast channel (the banner's test goes in-app).</summary>
    public static string PipelineChannel(string channel) => channel == BroadcastChannels.Banner ? Channel.InApp : channel;

    private static TemplateContent ContentOf(string channel, BroadcastChannelContent content) => channel switch
    {
        BroadcastChannels.Email => new()
        {
            Subject = content.Subject, Html = "<p style=\"white-space:pre-line\">" + content.Body + "</p>", Text = content.Body,
        },
        _ => new() { Title = content.Subject, Body = content.Body },
    };

    private static bool Same(TemplateContent a, TemplateContent b) =>
        a.Subject == b.Subject && a.Html == b.Html && a.Text == b.Text && a.Title == b.Title && a.Body == b.Body;

    /// <summary>Adds what the tenant lacks for this broadcast; true when something was added (the caller then announces a catalog change).</summary>
    public static async Task<bool> EnsureAsync(
        IDbContextFactory<CommsDbContext> contexts, string tenantId, SysBroadcast broadcast, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var name = TemplateName(broadcast.Id);
        var content = BroadcastContent.Parse(broadcast.Content);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rules = await db.RoutingRules.Where(r => r.TenantId == tenantId && r.TemplateName == name).Select(r => r.EventName).ToListAsync(cancellationToken);
        var latest = (await db.Templates.AsNoTracking().Where(t => t.TenantId == tenantId && t.Name == name).ToListAsync(cancellationToken))
            .GroupBy(t => t.Channel).ToDictionary(g => g.Key, g => g.MaxBy(t => t.Version)!, StringComparer.Ordinal);
        var added = false;
        foreach (var channel in broadcast.Channels)
        {
            var pipeline = PipelineChannel(channel);
            var wanted = ContentOf(channel, content[channel]);
            var current = latest.GetValueOrDefault(pipeline);
            // A changed draft publishes the next version: the router takes the latest, so tests and the send use the text as it is now.
            if (current is null || !Same(current.Content, wanted))
            {
                db.Templates.Add(new Template
                {
                    Id = Guid.CreateVersion7(now), TenantId = tenantId, Name = name, Channel = pipeline, Locale = "en-US",
                    Version = (current?.Version ?? 0) + 1, Status = TemplateStatus.Published, Category = Category, Content = wanted,
                    CreatedBy = "comms", CreatedAt = now, UpdatedAt = now, PublishedAt = now,
                });
                added = true;
            }

            if (!rules.Contains(EventName(broadcast.Id, pipeline)))
            {
                db.RoutingRules.Add(new RoutingRule
                {
                    Id = Guid.CreateVersion7(now), TenantId = tenantId, EventName = EventName(broadcast.Id, pipeline), TemplateName = name,
                    Category = Category, Channels = [pipeline], CreatedAt = now, UpdatedAt = now,
                });
                added = true;
            }
        }

        if (!added)
        {
            return false;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // A concurrent request added them first.
        }

        return true;
    }
}
