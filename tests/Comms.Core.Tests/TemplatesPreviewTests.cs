using System.Text.Json;
using Comms.Core.Messages;
using Comms.Core.Templates;

namespace Comms.Core.Tests;

public sealed class TemplatesPreviewTests
{
    private const string NameSchema = """{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}""";
    private readonly TemplatePreviewer _previewer = new(new ContentRenderer(new LiquidRenderer()));

    private static Template InApp(params TemplateVariant[] variants) => new()
    {
        TenantId = "t1", Name = "welcome", Channel = Channel.InApp, Locale = "en-US", VariablesSchema = NameSchema,
        Content = new TemplateContent { Title = "Welcome, {{ name }}!", Body = "Hello **{{ name }}** <script>x</script>" },
        Variants = [.. variants],
    };

    private static JsonElement Payload(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public async Task Renders_in_app_content_with_sanitized_html()
    {
        var result = await _previewer.PreviewAsync(InApp(), null, Payload("""{"name":"Ann"}"""));

        Assert.Null(result.Problem);
        Assert.Equal("Welcome, Ann!", result.Value!.Content.Title);
        Assert.StartsWith("<p>Hello <strong>Ann</strong>", result.Value.Content.BodyHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", result.Value.Content.BodyHtml, StringComparison.Ordinal);
        Assert.Empty(result.Value.Warnings);
    }

    [Fact]
    public async Task A_missing_required_variable_is_reported_by_name()
    {
        var result = await _previewer.PreviewAsync(InApp(), null, Payload("""{"other":1}"""));

        Assert.Null(result.Value);
        Assert.Equal(TemplateCodes.MissingVariable, result.Problem!.Code);
        Assert.Equal(422, result.Problem.Status);
        Assert.Equal("payload.name", result.Problem.Field);
        Assert.Contains("'name'", result.Problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrongly_typed_variable_is_a_payload_problem()
    {
        var result = await _previewer.PreviewAsync(InApp(), null, Payload("""{"name":5}"""));

        Assert.Equal(TemplateCodes.PayloadInvalid, result.Problem!.Code);
    }

    [Fact]
    public async Task A_variant_renders_its_own_content_and_an_unknown_one_is_named()
    {
        var template = InApp(new TemplateVariant { Key = "short", Weight = 1, Content = new TemplateContent { Title = "Hi {{ name }}" } });

        var arm = await _previewer.PreviewAsync(template, "short", Payload("""{"name":"Ann"}"""));
        var unknown = await _previewer.PreviewAsync(template, "long", Payload("""{"name":"Ann"}"""));

        Assert.Equal("Hi Ann", arm.Value!.Content.Title);
        Assert.Equal("short", arm.Value.Variant);
        Assert.Equal("variant", unknown.Problem!.Field);
        Assert.Contains("short", unknown.Problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_webhook_body_that_renders_to_invalid_json_is_a_warning()
    {
        var template = new Template
        {
            TenantId = "t1", Name = "hook", Channel = Channel.Webhook, Locale = "en",
            VariablesSchema = """{"type":"object","properties":{"id":{"type":"integer"}}}""",
            Content = new TemplateContent { Json = """{"id": {{ id }} }""" },
        };

        var good = await _previewer.PreviewAsync(template, null, Payload("""{"id":7}"""));
        var bad = await _previewer.PreviewAsync(template, null, Payload("{}"));

        Assert.Equal("""{"id": 7 }""", good.Value!.Content.Json);
        Assert.Empty(good.Value.Warnings);
        Assert.Contains("not valid JSON", Assert.Single(bad.Value!.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payload_that_is_not_an_object_is_refused()
    {
        var result = await _previewer.PreviewAsync(InApp(), null, Payload("[1]"));

        Assert.Equal("payload", result.Problem!.Field);
        Assert.Equal(400, result.Problem.Status);
    }
}
