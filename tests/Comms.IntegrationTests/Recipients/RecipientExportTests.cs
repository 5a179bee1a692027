using System.Net;
using System.Text.Json;
using Comms.Core.Privacy;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Recipients;

/// <summary>Access export (SPEC S11): <c>GET /v1/recipients/{externalId}/export</c>.</summary>
[Collection(CommsCollection.Name)]
public sealed class RecipientExportTests(CommsFixture fixture)
{
    [Fact]
    public async Task The_export_holds_every_section_of_what_is_stored_about_the_person()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "someone-else");
        var person = Person.Distinctive();
        var eventId = await PrivacySupport.DeliverAsync(fixture, tenant, person);

        var response = await tenant.ApiClient().GetAsync($"/v1/recipients/{person.ExternalId}/export", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
        var export = document.RootElement;
        Assert.Equal(
            ["exportedAt", "tenantId", "recipient", "devices", "preferences", "inbox", "messages", "decisions", "suppressions", "audit"],
            export.EnumerateObject().Select(p => p.Name));
        Assert.Equal(tenant.Id, export.GetProperty("tenantId").GetString());

        var profile = export.GetProperty("recipient");
        Assert.Equal(person.ExternalId, profile.GetProperty("externalId").GetString());
        Assert.Equal(person.Name, profile.GetProperty("name").GetString());
        Assert.Equal(person.Email, profile.GetProperty("email").GetString());
        Assert.Equal(person.Phone, profile.GetProperty("phone").GetString());
        Assert.Equal(person.Attribute, profile.GetProperty("attributes").GetProperty("team").GetString());
        Assert.Equal(person.DeviceToken, Assert.Single(export.GetProperty("devices").EnumerateArray()).GetProperty("token").GetString());
        var preference = Assert.Single(export.GetProperty("preferences").EnumerateArray());
        Assert.Equal(("sms", "account", false),
            (preference.GetProperty("channel").GetString(), preference.GetProperty("category").GetString(), preference.GetProperty("enabled").GetBoolean()));
        var item = Assert.Single(export.GetProperty("inbox").EnumerateArray());
        Assert.Contains(person.PayloadName, item.GetProperty("title").GetString(), StringComparison.Ordinal);

        var messages = export.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["email", "in_app"], messages.Select(m => m.GetProperty("channel").GetString()).Order());
        var email = messages.Single(m => m.GetProperty("channel").GetString() == "email");
        Assert.Equal(person.Email, email.GetProperty("address").GetString());
        Assert.Equal("sent", email.GetProperty("status").GetString());
        Assert.Contains(person.PayloadName, email.GetProperty("render").GetProperty("subject").GetString(), StringComparison.Ordinal);
        Assert.All(export.GetProperty("decisions").EnumerateArray(), d => Assert.Equal(eventId, d.GetProperty("eventId").GetGuid()));
        Assert.Equal(2, export.GetProperty("decisions").GetArrayLength());
        Assert.Equal(0, export.GetProperty("suppressions").GetArrayLength());
        Assert.Contains(export.GetProperty("audit").EnumerateArray(), a => a.GetProperty("action").GetString() == RecipientExport.AuditAction);

        // Nothing about anyone else.
        Assert.DoesNotContain("someone-else", document.RootElement.GetRawText(), StringComparison.Ordinal);
        await using var db = fixture.CreateDbContext();
        Assert.Equal(1, await db.AuditLog.CountAsync(a => a.TenantId == tenant.Id && a.Action == RecipientExport.AuditAction));
    }

    [Fact]
    public async Task Another_tenant_s_key_gets_a_404()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var other = await TestTenant.CreateAsync(fixture);

        await (await other.ApiClient().GetAsync("/v1/recipients/alice/export")).AssertProblemAsync(HttpStatusCode.NotFound, "COMMS_RECIPIENT_NOT_FOUND");
        await (await other.ApiClient().PostAsync("/v1/recipients/alice/erase", null)).AssertProblemAsync(HttpStatusCode.NotFound, "COMMS_RECIPIENT_NOT_FOUND");
        Assert.Equal(HttpStatusCode.OK, (await tenant.ApiClient().GetAsync("/v1/recipients/alice/export")).StatusCode);
    }
}
