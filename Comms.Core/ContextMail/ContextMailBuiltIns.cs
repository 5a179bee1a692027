using Comms.Core.Data;
using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Routing;
using Comms.Core.Templates;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.ContextMail;

/// <summary>
/// The default route of <see cref="ContextMailService.ReceivedEvent"/> (SPEC S8: a new mail also goes out as a push,
/// push only by default — the mailbox is the durable copy, an email would duplicate it): the rule
/// <c>context.mail.received</c> → template <c>context.mail.received</c> (push, en-US, version 1, category
/// <c>messages</c>) saying which context has new mail and the fresh unread count. Added to a tenant the first time one
/// of its contexts gets mail, unless the tenant already routes the event; from then on both are the tenant's own to edit.
/// </summary>
public static class ContextMailBuiltIns
{
    public const string TemplateName = ContextMailService.ReceivedEvent;

    private const string Schema =
        """{"type":"object","required":["context_name","unread_count"],"properties":{"context_name":{"type":"string"},"unread_count":{"type":"integer"}}}""";

    private static readonly TemplateContent Push = new()
    {
        Title = "{{ context_name }}",
        Body = "New message · {{ unread_count }} unread",
    };

    /// <summary>Adds the rule and template the tenant lacks; true when something was added.</summary>
    public static async Task<bool> EnsureAsync(IDbContextFactory<CommsDbContext> contexts, string tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.RoutingRules.AnyAsync(r => r.TenantId == tenantId && r.EventName == ContextMailService.ReceivedEvent, cancellationToken))
        {
            return false;
        }

        if (!await db.Templates.AnyAsync(t => t.TenantId == tenantId && t.Name == TemplateName && t.Channel == Channel.Push, cancellationToken))
        {
            db.Templates.Add(new Template
            {
                Id = Guid.CreateVersion7(now), TenantId = tenantId, Name = TemplateName, Channel = Channel.Push, Locale = "en-US", Version = 1,
                Status = TemplateStatus.Published, Category = Categories.Messages, Content = Push, VariablesSchema = Schema,
                CreatedBy = "comms", CreatedAt = now, UpdatedAt = now, PublishedAt = now,
            });
        }

        db.RoutingRules.Add(new RoutingRule
        {
            Id = Guid.CreateVersion7(now), TenantId = tenantId, EventName = ContextMailService.ReceivedEvent, TemplateName = TemplateName,
            Category = Categories.Messages, Channels = [Channel.Push], CreatedAt = now, UpdatedAt = now,
        });

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
