using Comms.Core.Messages;
using Comms.Core.Templates;

namespace Comms.Core.Tests;

public sealed class TemplatesValidationTests
{
    private static readonly TemplateContent Email = new() { Subject = "Hi {{ name }}", Html = "<p>Hi {{ name }}</p>", Text = "Hi {{ name }}" };

    private static TemplateDraftInput Draft(TemplateContent? content = null, string? schema = null,
        IReadOnlyList<TemplateVariantInput>? variants = null, string? category = "account") =>
        new(category, content ?? Email, schema, variants);

    [Fact]
    public async Task A_complete_email_draft_passes()
    {
        var draft = Draft(schema: """{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}""",
            variants: [new("a", 50, Email), new("b", 50, Email with { Subject = "Hello {{ name }}" })]);

        Assert.Empty(TemplateValidator.ValidateShape(Channel.Email, draft));
        Assert.Empty(await TemplateSyntax.CheckAsync(draft));
    }

    [Theory]
    [InlineData("welcome", "email", "pt-br", "pt-BR")]
    [InlineData("order.shipped", "in_app", "de", "de")]
    [InlineData("billing:invoice_due", "sms", "EN-us", "en-US")]
    public void Keys_are_accepted_with_the_locale_normalised(string name, string channel, string locale, string normalized)
    {
        var errors = TemplateValidator.ValidateKey("t1", name, channel, locale, out var key);

        Assert.Empty(errors);
        Assert.Equal(new TemplateKey("t1", name, channel, normalized), key);
    }

    [Theory]
    [InlineData("-bad", "email", "en", "name")]
    [InlineData("has space", "email", "en", "name")]
    [InlineData("welcome", "fax", "en", "channel")]
    [InlineData("welcome", "email", "english!", "locale")]
    [InlineData("welcome", "email", "e", "locale")]
    public void Bad_keys_name_the_field(string name, string channel, string locale, string field)
    {
        var errors = TemplateValidator.ValidateKey("t1", name, channel, locale, out var key);

        Assert.Null(key);
        Assert.Equal([field], errors.Keys);
    }

    [Theory]
    [InlineData("email", """{"html":"<p>x</p>"}""", "content.subject")]
    [InlineData("email", """{"subject":"Hi"}""", "content.html")]
    [InlineData("in_app", """{"body":"text"}""", "content.title")]
    [InlineData("push", """{"data":{"k":"v"}}""", "content.title")]
    [InlineData("sms", """{"title":"x"}""", "content.text")]
    [InlineData("webhook", """{"json":"  "}""", "content.json")]
    public void Each_channel_requires_its_fields(string channel, string contentJson, string field)
    {
        var content = System.Text.Json.JsonSerializer.Deserialize<TemplateContent>(contentJson, System.Text.Json.JsonSerializerOptions.Web);

        var errors = TemplateValidator.ValidateShape(channel, Draft(content));

        Assert.Contains(field, errors.Keys);
    }

    [Theory]
    [InlineData("in_app", """{"title":"Hi"}""")]
    [InlineData("push", """{"body":"Hi"}""")]
    [InlineData("sms", """{"text":"Hi"}""")]
    [InlineData("webhook", """{"json":"{\"id\": {{ id }} }"}""")]
    public void Minimal_content_of_each_channel_passes(string channel, string contentJson)
    {
        var content = System.Text.Json.JsonSerializer.Deserialize<TemplateContent>(contentJson, System.Text.Json.JsonSerializerOptions.Web);

        Assert.Empty(TemplateValidator.ValidateShape(channel, Draft(content)));
    }

    [Fact]
    public void A_missing_body_or_content_and_a_bad_category_are_named()
    {
        Assert.Equal(["body"], TemplateValidator.ValidateShape(Channel.Email, null).Keys);
        Assert.Contains("content", TemplateValidator.ValidateShape(Channel.Email, new TemplateDraftInput("account", null, null, null)).Keys);
        Assert.Contains("category", TemplateValidator.ValidateShape(Channel.Email, Draft(category: "Not Valid")).Keys);
    }

    [Fact]
    public async Task Liquid_errors_name_the_field_and_carry_the_parsers_message()
    {
        var draft = Draft(Email with
        {
            Html = "<p>{% if vip %}Hello</p>",
            Data = new() { ["url"] = "{{ link | }}" },
            Link = "{{ url",
        });

        var errors = await TemplateSyntax.CheckAsync(draft);

        Assert.Equal(["content.data.url", "content.html", "content.link"], errors.Keys.Order());
        Assert.StartsWith("Liquid syntax error: ", errors["content.html"][0], StringComparison.Ordinal);
        Assert.Contains("endif", errors["content.html"][0], StringComparison.Ordinal);
        Assert.DoesNotContain('\n', errors["content.html"][0]);
    }

    [Fact]
    public async Task Liquid_errors_in_a_variant_name_the_variant()
    {
        var draft = Draft(variants: [new("a", 1, Email), new("b", 1, Email with { Subject = "{{ name " })]);

        var errors = await TemplateSyntax.CheckAsync(draft);

        Assert.Equal(["variants[1].content.subject"], errors.Keys);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"required":"name"}""")]
    [InlineData("""{"type":"strnig"}""")]
    [InlineData("""{"properties":{"a":{"type":5}}}""")]
    [InlineData("""{"properties":{"a":{"$ref":"/etc/passwd"}}}""")]
    [InlineData("""{"$ref":"https://example.test/schema.json"}""")]
    [InlineData("""{"$ref":"#/definitions/missing"}""")]
    [InlineData("""{"type":"object","minLength":"x"}""")]
    public async Task Invalid_schemas_are_refused_naming_variablesSchema(string schema)
    {
        var errors = await TemplateSyntax.CheckAsync(Draft(schema: schema));

        Assert.Equal(["variablesSchema"], errors.Keys);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"type":["object","null"]}""")]
    [InlineData("""{"type":"object","properties":{"type":{"type":"string"},"kind":{"enum":[{"type":1}]}}}""")]
    [InlineData("""{"definitions":{"money":{"type":"number"}},"properties":{"total":{"$ref":"#/definitions/money"}}}""")]
    public async Task Valid_schemas_pass(string schema)
    {
        Assert.Empty(await TemplateSyntax.CheckAsync(Draft(schema: schema)));
    }

    [Fact]
    public void Variants_need_unique_keys_weights_in_range_and_a_positive_total()
    {
        var duplicate = TemplateValidator.ValidateShape(Channel.Email, Draft(variants: [new("a", 1, Email), new("A", 1, Email)]));
        var outOfRange = TemplateValidator.ValidateShape(Channel.Email, Draft(variants: [new("a", 10_001, Email), new("b", -1, Email)]));
        var allZero = TemplateValidator.ValidateShape(Channel.Email, Draft(variants: [new("a", 0, Email), new("b", 0, Email)]));
        var incomplete = TemplateValidator.ValidateShape(Channel.Email, Draft(variants: [new(null, null, null), new("b", 1, new TemplateContent())]));

        Assert.Equal(["variants[1].key"], duplicate.Keys);
        Assert.Equal(["variants[0].weight", "variants[1].weight"], outOfRange.Keys.Order());
        Assert.Equal(["variants"], allZero.Keys);
        Assert.Equal(["variants[0].content", "variants[0].key", "variants[0].weight", "variants[1].content.html", "variants[1].content.subject"],
            incomplete.Keys.Order());
    }

    [Fact]
    public void Variants_become_stored_arms()
    {
        var arms = TemplateValidator.ToVariants([new("a", 70, Email), new("b", 30, Email)]);

        Assert.Equal([("a", 70), ("b", 30)], arms.Select(a => (a.Key, a.Weight)));
    }

    [Fact]
    public void A_draft_with_too_much_text_overall_is_refused()
    {
        var big = new string('x', 60_000);
        var arms = Enumerable.Range(0, 10).Select(i => new TemplateVariantInput($"v{i}", 1, Email with { Html = big })).ToList();

        var errors = TemplateValidator.ValidateShape(Channel.Email, Draft(Email with { Html = big }, variants: arms));

        Assert.Equal(["content"], errors.Keys);
    }
}
