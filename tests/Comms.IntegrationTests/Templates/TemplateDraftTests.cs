using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Templates;

/// <summary>Drafts: create, read, replace, list, delete, and validation at save time.</summary>
[Collection(CommsCollection.Name)]
public sealed class TemplateDraftTests(CommsFixture fixture)
{
    [Fact]
    public async Task A_draft_is_created_read_replaced_listed_and_deleted()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var api = tenant.ApiClient();

        var created = await api.PutDraftAsync("order.shipped", TemplateRequests.EmailDraft("Shipped: {{ name }}"));
        var createdBody = await created.JsonAsync(HttpStatusCode.Created);
        Assert.Equal("/v1/templates/order.shipped/email/en-US/draft", created.Headers.Location?.OriginalString);
        Assert.Equal("draft", createdBody.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, createdBody.GetProperty("version").ValueKind);
        Assert.Equal("string", createdBody.GetProperty("variablesSchema").GetProperty("properties").GetProperty("name").GetProperty("type").GetString());

        var replaced = await api.PutDraftAsync("order.shipped", new
        {
            category = "booking",
            content = new { subject = "On its way, {{ name }}", text = "Tracking: {{ name }}" },
            variants = new[]
            {
                new { key = "a", weight = 50, content = new { subject = "A {{ name }}", text = "a" } },
                new { key = "b", weight = 50, content = new { subject = "B {{ name }}", text = "b" } },
            },
        });
        var replacedBody = await replaced.JsonAsync(HttpStatusCode.OK);
        Assert.Equal(createdBody.GetProperty("id").GetGuid(), replacedBody.GetProperty("id").GetGuid());

        var draft = await (await api.GetAsync(TemplateRequests.Path("order.shipped") + "/draft")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("On its way, {{ name }}", draft.GetProperty("content").GetProperty("subject").GetString());
        Assert.Equal("booking", draft.GetProperty("category").GetString());
        Assert.Equal(JsonValueKind.Null, draft.GetProperty("variablesSchema").ValueKind);
        Assert.Equal(["a", "b"], draft.GetProperty("variants").EnumerateArray().Select(v => v.GetProperty("key").GetString()));

        var list = await api.GetFromJsonAsync<JsonElement>("/v1/templates");
        var names = list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()).ToList();
        Assert.Equal(["order.shipped", TestTenant.WelcomeEvent], names);
        var entry = list.GetProperty("items")[0].GetProperty("entries")[0];
        Assert.Equal("draft", entry.GetProperty("draftStatus").GetString());
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("latestVersion").ValueKind);

        var details = await api.GetFromJsonAsync<JsonElement>("/v1/templates/order.shipped");
        Assert.Equal("email", details.GetProperty("entries")[0].GetProperty("channel").GetString());
        Assert.Equal(0, details.GetProperty("entries")[0].GetProperty("versions").GetArrayLength());

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync(TemplateRequests.Path("order.shipped") + "/draft")).StatusCode);
        await (await api.GetAsync(TemplateRequests.Path("order.shipped") + "/draft")).ProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");
        await (await api.DeleteAsync(TemplateRequests.Path("order.shipped") + "/draft")).ProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");
        await (await api.GetAsync("/v1/templates/order.shipped")).ProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");
    }

    [Fact]
    public async Task The_existing_template_lists_its_published_version()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");

        var details = await tenant.ApiClient().GetFromJsonAsync<JsonElement>($"/v1/templates/{TestTenant.WelcomeEvent}");

        var entries = details.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(["email", "in_app"], entries.Select(e => e.GetProperty("channel").GetString()));
        Assert.All(entries, e => Assert.Equal(1, e.GetProperty("versions")[0].GetProperty("version").GetInt32()));
        Assert.All(entries, e => Assert.Equal(JsonValueKind.Null, e.GetProperty("draft").ValueKind));
    }

    [Theory]
    [InlineData("html", "content.html")]
    [InlineData("subject", "content.subject")]
    [InlineData("data", "content.data.url")]
    [InlineData("variant", "variants[0].content.text")]
    public async Task A_liquid_syntax_error_is_422_naming_the_field_and_nothing_is_stored(string where, string field)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        const string broken = "Hello {% if vip %}friend";
        object content = where switch
        {
            "html" => new { subject = "Hi", html = broken },
            "subject" => new { subject = broken, text = "x" },
            "data" => new { title = "Hi", data = new { url = "{{ link | }}" } },
            _ => new { subject = "Hi", text = "x" },
        };
        object body = where == "variant"
            ? new { content = new { subject = "Hi", text = "x" }, variants = new[] { new { key = "a", weight = 1, content = new { subject = "Hi", text = broken } } } }
            : new { content };

        var response = await tenant.ApiClient().PutDraftAsync("receipt", body, channel: where == "data" ? "push" : "email");

        var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity, TemplateCodes.Invalid);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal([field], problem.ErrorFields());
        Assert.Contains("Liquid syntax error", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await using var db = fixture.CreateDbContext();
        Assert.False(await db.Templates.AnyAsync(t => t.TenantId == tenant.Id && t.Name == "receipt"));
    }

    [Theory]
    [InlineData("""{"content":{"subject":"Hi","text":"x"},"variablesSchema":{"type":"strnig"}}""")]
    [InlineData("""{"content":{"subject":"Hi","text":"x"},"variablesSchema":{"required":"name"}}""")]
    [InlineData("""{"content":{"subject":"Hi","text":"x"},"variablesSchema":[1]}""")]
    [InlineData("""{"content":{"subject":"Hi","text":"x"},"variablesSchema":{"$ref":"file:///etc/passwd"}}""")]
    public async Task An_invalid_variables_schema_is_422_naming_it(string body)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");

        var response = await tenant.ApiClient().PutAsync(TemplateRequests.Path("receipt") + "/draft",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity, TemplateCodes.Invalid);
        Assert.Equal("variablesSchema", problem.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("/v1/templates/receipt/fax/en-US/draft", "channel")]
    [InlineData("/v1/templates/receipt/email/english!/draft", "locale")]
    [InlineData("/v1/templates/-receipt/email/en-US/draft", "name")]
    public async Task A_bad_name_channel_or_locale_is_400_naming_it(string path, string field)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");

        var response = await tenant.ApiClient().PutAsJsonAsync(path, TemplateRequests.EmailDraft());

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest, TemplateCodes.Validation);
        Assert.Equal([field], problem.ErrorFields());
    }

    [Theory]
    [InlineData("email", """{"content":{"html":"<p>x</p>"}}""", "content.subject")]
    [InlineData("email", """{"content":{"subject":"x"}}""", "content.html")]
    [InlineData("in_app", """{"content":{"body":"x"}}""", "content.title")]
    [InlineData("push", """{"content":{"link":"x"}}""", "content.title")]
    [InlineData("sms", """{"content":{"body":"x"}}""", "content.text")]
    [InlineData("webhook", """{"content":{}}""", "content.json")]
    [InlineData("email", """{}""", "content")]
    [InlineData("email", """{"category":"Bad Category","content":{"subject":"x","text":"y"}}""", "category")]
    [InlineData("email", """{"content":{"subject":"x","text":"y"},"variants":[{"key":"a","weight":0},{"key":"a","weight":20000}]}""", "variants[1].key")]
    public async Task Missing_channel_fields_and_bad_variants_are_400_naming_the_field(string channel, string body, string field)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");

        var response = await tenant.ApiClient().PutAsync(TemplateRequests.Path("receipt", channel) + "/draft",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest, TemplateCodes.Validation);
        Assert.Contains(field, problem.ErrorFields());
    }

    [Fact]
    public async Task An_unknown_category_is_422_and_a_tenant_category_is_accepted()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        await using (var db = fixture.CreateDbContext())
        {
            db.Categories.Add(new Comms.Core.Preferences.Category { TenantId = tenant.Id, Name = "payouts", CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        var unknown = await tenant.ApiClient().PutDraftAsync("receipt", TemplateRequests.EmailDraft(category: "nope"));
        var custom = await tenant.ApiClient().PutDraftAsync("receipt", TemplateRequests.EmailDraft(category: "payouts"));

        var problem = await unknown.ProblemAsync(HttpStatusCode.UnprocessableEntity, TemplateCodes.UnknownCategory);
        Assert.Equal("category", problem.GetProperty("field").GetString());
        Assert.Equal("payouts", (await custom.JsonAsync(HttpStatusCode.Created)).GetProperty("category").GetString());
    }

    [Fact]
    public async Task The_locale_is_stored_normalised_and_found_in_any_casing()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");

        var created = await tenant.ApiClient().PutDraftAsync("receipt", TemplateRequests.EmailDraft(), locale: "pt-br");

        Assert.Equal("pt-BR", (await created.JsonAsync(HttpStatusCode.Created)).GetProperty("locale").GetString());
        var found = await tenant.ApiClient().GetAsync(TemplateRequests.Path("receipt", locale: "PT-br") + "/draft");
        Assert.Equal("pt-BR", (await found.JsonAsync(HttpStatusCode.OK)).GetProperty("locale").GetString());
    }

    [Fact]
    public async Task A_key_without_the_editor_role_can_read_but_not_write()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var reader = tenant.ApiClient(await tenant.AddApiKeyAsync("approver-only", "approver"));

        var write = await reader.PutDraftAsync("receipt", TemplateRequests.EmailDraft());
        var read = await reader.GetAsync("/v1/templates");

        await write.ProblemAsync(HttpStatusCode.Forbidden, "COMMS_FORBIDDEN");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }
}
