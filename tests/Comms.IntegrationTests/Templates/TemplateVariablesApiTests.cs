using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Templates;

/// <summary>
/// Nothing fails silently in a template: built-in variables (recipient, tenant, event) render in real messages and
/// previews, and a variable that is neither declared nor built in is warned about when saved and in every preview.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class TemplateVariablesApiTests(CommsFixture fixture)
{
    [Fact]
    public async Task Recipient_tenant_and_event_variables_render_in_a_routed_message()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        await tenant.AddTemplateAsync("hello.builtins", Channel.InApp, new()
        {
            Title = "Hi {{ recipient.name }} from {{ tenant.id }}", Body = "{{ event.name }} / {{ event.cause_ref }} / {{ recipient.external_id }}",
        });
        await tenant.SetRuleAsync("hello.builtins", new { templateName = "hello.builtins", category = "account", channels = new[] { "in_app" } });

        await tenant.DecisionsAsync(await tenant.PostEventAsync(new { name = "hello.builtins", recipients = new[] { "ann" }, causeRef = "b:1" }));

        await using var db = fixture.CreateDbContext();
        var item = await Poll.UntilAsync(() => db.InboxItems.AsNoTracking().FirstOrDefaultAsync(i => i.TenantId == tenant.Id), "the inbox item");
        Assert.Equal($"Hi ann from {tenant.Id}", item.Title);
        Assert.Equal("hello.builtins / b:1 / ann", item.Body);
    }

    [Fact]
    public async Task An_undeclared_variable_is_warned_about_when_saved_and_in_every_preview_and_declaring_it_clears_the_warning()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();
        const string path = "/v1/templates/warn.me/email/en-US/draft";
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"booking_id":{"type":"integer"}}}""").RootElement;

        var saved = await (await api.PutAsJsonAsync(path, new
        {
            category = "account", variablesSchema = schema,
            content = new { subject = "Booking {{ booking_id }} for {{ recipient.name }}", text = "At {{ hotel_name }}" },
        })).Content.ReadFromJsonAsync<JsonElement>();
        var preview = await (await api.PostAsJsonAsync(path + "/preview", new { payload = new { booking_id = 7 } })).Content.ReadFromJsonAsync<JsonElement>();

        var warning = Assert.Single(saved.GetProperty("warnings").EnumerateArray()).GetString();
        Assert.StartsWith("'hotel_name' (in text)", warning, StringComparison.Ordinal);
        Assert.Contains(preview.GetProperty("warnings").EnumerateArray(), w => w.GetString() == warning);
        Assert.Equal("Booking 7 for Alex Example", preview.GetProperty("content").GetProperty("subject").GetString());

        var declared = JsonDocument.Parse("""{"type":"object","properties":{"booking_id":{"type":"integer"},"hotel_name":{"type":"string"}}}""").RootElement;
        var resaved = await (await api.PutAsJsonAsync(path, new
        {
            category = "account", variablesSchema = declared,
            content = new { subject = "Booking {{ booking_id }} for {{ recipient.name }}", text = "At {{ hotel_name }}" },
        })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Empty(resaved.GetProperty("warnings").EnumerateArray());
    }
}
