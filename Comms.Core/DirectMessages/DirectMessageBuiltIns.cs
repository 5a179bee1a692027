using Comms.Core.Data;
using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Routing;
using Comms.Core.Templates;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.DirectMessages;

/// <summary>
/// The routing rules and templates through which operators' direct messages reach users — the normal pipeline: one rule
/// per channel, <c>sys.direct_message.{channel}</c>, each sending template <c>sys.direct_message</c> (en-US, version 1,
/// category <c>account</c>) over the payload's <c>subject</c> and <c>body</c>. Added to a tenant at its first direct
/// message. The user's <c>dm_muted</c> channels are left out before the events are made.
/// </summary>
public static class DirectMessageBuiltIns
{
    public const string TemplateName = "sys.direct_message";
    public const string Category = Categories.Account;

    /// <summary>The channels a direct message can go out on.</summary>
    public static readonly IReadOnlyList<string> Channels = [Channel.Email, Channel.InApp, Channel.Push, Channel.Sms];

    public static string EventName(string channel) => $"{TemplateName}.{channel}";

    private const string Schema = """{"type":"object","required":["subject","body"],"properties":{"subject":{"type":"string"},"body":{"type":"string"}}}""";

    private static readonly Dictionary<string, TemplateContent> Contents = new(StringComparer.Ordinal)
    {
        [Channel.Email] = new()
        {
            Subject = "{{ subject }}",
            Html = "<p style=\"white-space:pre-line\">{{ body }}</p>",
            Text = "{{ body }}",
        },
        [Channel.InApp] = new() { Title = "{{ subject }}", Body = "{{ body }}" },
        [Channel.Push] = new() { Title = "{{ subject }}", Body = "{{ body }}" },
        [Channel.Sms] = new() { Text = "{{ subject }}: {{ body }}" },
    };

    /// <summary>Adds what the tenant lacks; true when something was added (the caller then announces a catalog change).</summary>
    public static async Task<bool> EnsureAsync(IDbContextFactory<CommsDbContext> contexts, string tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rules = await db.RoutingRules.Where(r => r.TenantId == tenantId && r.EventName.StartsWith(TemplateName + "."))
            .Select(r => r.EventName).ToListAsync(cancellationToken);
        var templates = await db.Templates.Where(t => t.TenantId == tenantId && t.Name == TemplateName)
            .Select(t => t.Channel).Distinct().ToListAsync(cancellationToken);
        var added = false;
        foreach (var channel in Channels)
        {
            if (!templates.Contains(channel))
            {
                db.Templates.Add(new Template
                {
                    Id = Guid.CreateVersion7(now), TenantId = tenantId, Name = TemplateName, Channel = channel, Locale = "en-US", Version = 1,
                    Status = TemplateStatus.Published, Category = Category, Content = Contents[channel], VariablesSchema = Schema,
                    CreatedBy = "comms", CreatedAt = now, UpdatedAt = now, PublishedAt = now,
                });
                added = true;
            }

            if (!rules.Contains(EventName(channel)))
            {
                db.RoutingRules.Add(new RoutingRule
                {
                    Id = Guid.CreateVersion7(now), TenantId = tenantId, EventName = EventName(channel), TemplateName = TemplateName,
                    Category = Category, Channels = [channel], CreatedAt = now, UpdatedAt = now,
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
