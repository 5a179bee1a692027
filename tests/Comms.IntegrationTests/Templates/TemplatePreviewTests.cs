using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Templates;

/// <summary>Previews with a sample payload, and the endpoints' OpenAPI description.</summary>
[Collection(CommsCollection.Name)]
public sealed class TemplatePreviewTests(CommsFixture fixture)
{
    [Fact]
    public async Task Preview_renders_the_draft_and_any_version_and_reports_a_missing_variable()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var api = tenant.ApiClient();
        var welcome = TemplateRequests.Path(TestTenant.WelcomeEvent);
        await (await api.PutDraftAsync(TestTenant.WelcomeEvent, new
        {
            content = new { title = "Hi {{ name }}", body = "Welcome **{{ name }}** <script>alert(1)</script>" },
            variablesSchema = TemplateRequests.NameSchema,
            variants = new[] { new { key = "short", weight = 1, content = new { title = "Yo {{ name }}" } } },
        }, channel: "in_app")).JsonAsync(HttpStatusCode.Created);

        var draft = await (await api.PostAsJsonAsync(TemplateRequests.Path(TestTenant.WelcomeEvent, "in_app") + "/draft/preview",
            new { payload = new { name = "Ann" } })).JsonAsync(HttpStatusCode.OK);
        var arm = await (await api.PostAsJsonAsync(TemplateRequests.Path(TestTenant.WelcomeEvent, "in_app") + "/draft/preview",
            new { payload = new { name = "Ann" }, variant = "short" })).JsonAsync(HttpStatusCode.OK);
        var v1 = await (await api.PostAsJsonAsync(welcome + "/versions/1/preview", new { payload = new { name = "Ann" } })).JsonAsync(HttpStatusCode.OK);
        var missing = await api.PostAsJsonAsync(welcome + "/versions/1/preview", new { payload = new { other = "x" } });

        Assert.Equal(JsonValueKind.Null, draft.GetProperty("version").ValueKind);
        Assert.Equal("Hi Ann", draft.GetProperty("content").GetProperty("title").GetString());
        var bodyHtml = draft.GetProperty("content").GetProperty("bodyHtml").GetString();
        Assert.StartsWith("<p>Welcome <strong>Ann</strong>", bodyHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", bodyHtml, StringComparison.Ordinal);
        Assert.Equal("Yo Ann", arm.GetProperty("content").GetProperty("title").GetString());
        Assert.Equal(1, v1.GetProperty("version").GetInt32());
        Assert.Equal("Welcome, Ann", v1.GetProperty("content").GetProperty("subject").GetString());
        Assert.Equal("<p>Hello Ann!</p>", v1.GetProperty("content").GetProperty("html").GetString());
        var problem = await missing.ProblemAsync(HttpStatusCode.UnprocessableEntity, "COMMS_TEMPLATE_MISSING_VAR");
        Assert.Equal("payload.name", problem.GetProperty("field").GetString());
        Assert.Contains("'name'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openapi_document_lists_the_template_endpoints_with_summaries()
    {
        var document = await fixture.Api.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths");
        var draft = paths.GetProperty("/v1/templates/{name}/{channel}/{locale}/draft");
        Assert.Equal("Create or replace the draft of a template", draft.GetProperty("put").GetProperty("summary").GetString());
        foreach (var path in new[] { "/v1/templates", "/v1/templates/{name}/{channel}/{locale}/publish", "/v1/templates/{name}/{channel}/{locale}/approve",
                     "/v1/templates/{name}/{channel}/{locale}/versions/{version}/preview" })
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is missing from the OpenAPI document.");
            Assert.All(item.EnumerateObject().Where(o => o.Name is "get" or "post"), o => Assert.True(o.Value.TryGetProperty("summary", out _)));
        }
    }
}
