using System.Text.Json;
using Comms.Core.Messages;
using Comms.Core.Templates;

namespace Comms.Core.Tests;

public sealed class ContentRendererTests
{
    private readonly ContentRenderer _renderer = new(new LiquidRenderer());

    private static JsonElement Payload(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public async Task Email_html_encodes_variables_but_text_and_subject_do_not()
    {
        var content = new TemplateContent { Subject = "Hi {{ name }}", Html = "<p>{{ name }}</p>", Text = "Hi {{ name }}" };

        var rendered = await _renderer.RenderAsync(Channel.Email, content, Payload("""{"name":"Tom & <Jerry>"}"""));

        Assert.Equal("Hi Tom & <Jerry>", rendered.Subject);
        Assert.Equal("<p>Tom &amp; &lt;Jerry&gt;</p>", rendered.Html);
        Assert.Equal("Hi Tom & <Jerry>", rendered.Text);
    }

    [Fact]
    public async Task In_app_markdown_becomes_sanitized_html()
    {
        var content = new TemplateContent { Title = "New message", Body = "**{{ from }}** wrote: {{ text }}" };

        var rendered = await _renderer.RenderAsync(Channel.InApp, content,
            Payload("""{"from":"Bob","text":"<script>alert(1)</script> [x](javascript:alert(1))"}"""));

        Assert.StartsWith("<p><strong>Bob</strong> wrote:", rendered.BodyHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", rendered.BodyHtml, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", rendered.BodyHtml, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Nested_values_and_loops_render()
    {
        var content = new TemplateContent { Text = "{{ booking.id }}:{% for g in guests %}{{ g }},{% endfor %}" };

        var rendered = await _renderer.RenderAsync(Channel.Sms, content, Payload("""{"booking":{"id":42},"guests":["a","b"]}"""));

        Assert.Equal("42:a,b,", rendered.Text);
    }

    [Fact]
    public async Task Webhook_json_escapes_string_values()
    {
        var content = new TemplateContent { Json = """{"text":"{{ text }}"}""" };

        var rendered = await _renderer.RenderAsync(Channel.Webhook, content, Payload("""{"text":"say \"hi\""}"""));

        Assert.Equal("say \"hi\"", JsonDocument.Parse(rendered.Json!).RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public void Syntax_errors_are_reported()
    {
        Assert.Null(LiquidRenderer.SyntaxError("Hello {{ name }}"));
        Assert.NotNull(LiquidRenderer.SyntaxError("Hello {{ name "));
        Assert.NotNull(LiquidRenderer.SyntaxError("{% if x %}no end"));
    }

    [Fact]
    public async Task Missing_required_variables_are_named()
    {
        const string schema = """{"type":"object","required":["name","booking_id"],"properties":{"name":{"type":"string"}}}""";

        var problems = await PayloadSchema.ValidateAsync(schema, """{"name":"A"}""");

        var problem = Assert.Single(problems);
        Assert.True(problem.Missing);
        Assert.Equal("booking_id", problem.Variable);
        Assert.Empty(await PayloadSchema.ValidateAsync(schema, """{"name":"A","booking_id":1}"""));
    }
}
