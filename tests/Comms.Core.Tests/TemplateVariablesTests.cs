using System.Text.Json;
using Comms.Core.Events;
using Comms.Core.Messages;
using Comms.Core.Recipients;
using Comms.Core.Templates;
using Comms.Core.Tenancy;

namespace Comms.Core.Tests;

/// <summary>The built-in variables every template sees, and the warning for variables nothing declares.</summary>
public sealed class TemplateVariablesTests
{
    [Fact]
    public void The_variables_a_template_reads_exclude_its_own_locals()
    {
        var used = LiquidRenderer.VariablesOf(
            "{{ recipient.name }} {% for e in items %}{{ e.author }}{% endfor %}{% assign x = 1 %}{{ x }}" +
            "{{ guest_name | upcase }}{% if vip %}VIP{% endif %}{% capture c %}{{ city }}{% endcapture %}{{ c }}{{ forloop.index }}");

        Assert.Equal(["city", "forloop", "guest_name", "items", "recipient", "vip"], used.Order());
    }

    [Fact]
    public void Undeclared_variables_warn_naming_the_variable_and_the_field_while_declared_and_built_in_ones_do_not()
    {
        var template = new Template
        {
            TenantId = "t", Name = "n", Channel = Channel.Email, Locale = "en-US",
            VariablesSchema = """{"type":"object","properties":{"booking_id":{"type":"integer"}}}""",
            Content = new() { Subject = "Booking {{ booking_id }} for {{ recipient.name }} at {{ tenant.name }}", Text = "See {{ hotel }}" },
            Variants = [new() { Key = "b", Weight = 1, Content = new() { Subject = "{{ event.name }} {{ guest }}" } }],
        };

        var warnings = TemplateVariables.Warnings(template);

        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.StartsWith("'hotel' (in text)", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("'guest' (in variants[b].subject)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unsubscribe_url_is_a_built_in_that_renders_the_link_given_and_empty_without_one()
    {
        var renderer = new ContentRenderer(new LiquidRenderer());
        var template = new Template
        {
            TenantId = "t", Name = "n", Channel = Channel.Email, Locale = "en-US",
            Content = new() { Subject = "News", Text = "Unsubscribe: [{{ unsubscribe_url }}]" },
        };
        var recipient = new Recipient { TenantId = "t", ExternalId = "u-1" };
        var tenant = new Tenant { Id = "t", Name = "T" };
        using var payload = JsonDocument.Parse("{}");

        var linked = await renderer.RenderAsync(Channel.Email, template.Content, payload.RootElement,
            TemplateBuiltIns.For(recipient, tenant, null, "n", "promotions", "https://comms.example/unsubscribe/abc"));
        var critical = await renderer.RenderAsync(Channel.Email, template.Content, payload.RootElement, TemplateBuiltIns.For(recipient, tenant, null, "n", "security"));

        Assert.Empty(TemplateVariables.Warnings(template));
        Assert.Equal("Unsubscribe: [https://comms.example/unsubscribe/abc]", linked.Text);
        Assert.Equal("Unsubscribe: []", critical.Text);
    }

    [Fact]
    public async Task Recipient_tenant_and_event_built_ins_render_and_a_payload_property_of_the_same_name_wins()
    {
        var renderer = new ContentRenderer(new LiquidRenderer());
        var recipient = new Recipient
        {
            TenantId = "acme", ExternalId = "u-1", Name = "Greta", Email = "greta@example.test", Attributes = """{"plan":"gold"}""",
        };
        var builtIns = TemplateBuiltIns.For(recipient, new Tenant { Id = "acme", Name = "Acme" },
            new EventRecord { TenantId = "acme", Name = "booking.confirmed", Category = "booking", CauseRef = "b:1" });
        var content = new TemplateContent
        {
            Title = "{{ recipient.name }} ({{ recipient.attributes.plan }}) at {{ tenant.name }}: {{ event.name }}",
            Body = "{{ tenant }}",
        };

        using var payload = JsonDocument.Parse("""{"tenant":"from the payload"}""");
        var rendered = await renderer.RenderAsync(Channel.InApp, content, payload.RootElement, builtIns);

        Assert.Equal("Greta (gold) at : booking.confirmed", rendered.Title);
        Assert.Equal("from the payload", rendered.Body);
    }
}
