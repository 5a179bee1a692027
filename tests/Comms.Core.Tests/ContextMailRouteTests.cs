using System.Text.Json;
using Comms.Core.ContextMail;
using Comms.Core.Messages;
using Comms.Core.Routing;
using Comms.Core.Templates;

namespace Comms.Core.Tests;

/// <summary>The built-in route of new in-context mail: push only, replaced by a tenant's own rule or template.</summary>
public sealed class ContextMailRouteTests
{
    [Fact]
    public async Task A_tenant_without_its_own_gets_a_push_only_rule_whose_template_says_the_context_and_the_unread_count()
    {
        var rules = new Dictionary<string, RoutingRule>();
        var templates = new List<Template>();

        ContextMailRoute.AddDefaults("t1", rules, templates);

        var rule = rules[ContextMailRoute.EventName];
        Assert.Equal([Channel.Push], rule.Channels);
        Assert.Empty(rule.FallbackChannels);
        var template = Assert.Single(templates);
        Assert.Equal((Channel.Push, "en-US", ContextMailRoute.BuiltInVersion), (template.Channel, template.Locale, template.Version));
        var payload = JsonDocument.Parse("""{"context_key":"g-1","context_name":"Galaxy","mail_id":"m-9","kind":"personal","unread_count":3}""").RootElement;
        var rendered = await new ContentRenderer(new LiquidRenderer()).RenderAsync(Channel.Push, template.Content, payload);
        Assert.Equal(("Galaxy", "New message · 3 unread"), (rendered.Title, rendered.Body));
        Assert.Equal("g-1", rendered.Data!["contextKey"]);
    }

    [Fact]
    public void A_tenants_own_rule_and_template_are_kept()
    {
        var own = new RoutingRule { TenantId = "t1", EventName = ContextMailRoute.EventName, TemplateName = "mine", Category = "account", Channels = [Channel.InApp] };
        var rules = new Dictionary<string, RoutingRule> { [own.EventName] = own };
        var mine = new Template { TenantId = "t1", Name = ContextMailRoute.TemplateName, Channel = Channel.Push, Locale = "de-DE", Version = 4 };
        var templates = new List<Template> { mine };

        ContextMailRoute.AddDefaults("t1", rules, templates);

        Assert.Same(own, rules[ContextMailRoute.EventName]);
        Assert.Same(mine, Assert.Single(templates));
    }
}
