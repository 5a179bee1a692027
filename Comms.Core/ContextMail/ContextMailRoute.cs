using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Routing;
using Comms.Core.Templates;

namespace Comms.Core.ContextMail;

/// <summary>
/// The default route of <see cref="ContextMailService.ReceivedEvent"/> (SPEC S8: a new mail also goes out as a push,
/// push only by default — the mailbox is the durable copy, an email would duplicate it). Every tenant's catalog
/// (<see cref="TenantCatalog"/>) has it unless the tenant has its own: the rule <c>context.mail.received</c> →
/// template <c>context.mail.received</c> on <c>push</c>, category <c>messages</c> (so each user's preferences and quiet
/// hours apply), saying which context has new mail and the fresh unread count. It lives in code, not in the tenant's
/// rows, so every API and dispatcher process knows it from the start (no catalog change to wait for), and a tenant's
/// own rule or template of the same name replaces it — to add channels, or to word it differently. Its payload never
/// carries the subject, the body or the sender: a push shows on a lock screen, and erasing a sender must leave no
/// trace of them in other people's deliveries.
/// </summary>
public static class ContextMailRoute
{
    public const string EventName = ContextMailService.ReceivedEvent;
    public const string TemplateName = ContextMailService.ReceivedEvent;

    /// <summary>The built-in template's version: 0, below any version a tenant publishes, so a message says which it used.</summary>
    public const int BuiltInVersion = 0;

    public const string Schema =
        """{"type":"object","required":["context_name","unread_count"],"properties":{"context_key":{"type":"string"},"context_name":{"type":"string"},"mail_id":{"type":"string"},"kind":{"type":"string"},"unread_count":{"type":"integer"}}}""";

    public static readonly TemplateContent PushContent = new()
    {
        Title = "{{ context_name }}",
        Body = "New message · {{ unread_count }} unread",
        Data = new Dictionary<string, string> { ["contextKey"] = "{{ context_key }}", ["mailId"] = "{{ mail_id }}" },
    };

    /// <summary>Adds the default rule and push template to a tenant's loaded catalog where the tenant has none of its own.</summary>
    public static void AddDefaults(string tenantId, Dictionary<string, RoutingRule> rules, List<Template> publishedTemplates)
    {
        if (!rules.ContainsKey(EventName))
        {
            rules[EventName] = new RoutingRule
            {
                Id = Guid.Empty, TenantId = tenantId, EventName = EventName, TemplateName = TemplateName,
                Category = Categories.Messages, Channels = [Channel.Push],
            };
        }

        if (!publishedTemplates.Any(t => t.Name == TemplateName && t.Channel == Channel.Push))
        {
            publishedTemplates.Add(new Template
            {
                Id = Guid.Empty, TenantId = tenantId, Name = TemplateName, Channel = Channel.Push, Locale = "en-US",
                Version = BuiltInVersion, Status = TemplateStatus.Published, Category = Categories.Messages,
                Content = PushContent, VariablesSchema = Schema, CreatedBy = "comms",
            });
        }
    }
}
