using System.Text.Json;
using Comms.Core.Messages;
using Comms.Core.Templates;

namespace Comms.Core.Tests;

public sealed class RenderChecksTests
{
    private readonly ContentRenderer _renderer = new(new LiquidRenderer());

    private Task<RenderedContent> Render(string channel, TemplateContent content, string payload) =>
        _renderer.RenderAsync(channel, content, JsonDocument.Parse(payload).RootElement);

    [Fact]
    public async Task An_in_app_link_from_the_payload_with_a_script_scheme_fails_the_render()
    {
        var content = await Render(Channel.InApp, new TemplateContent { Title = "Hi", Link = "{{ url }}" }, """{"url":"javascript:alert(1)"}""");

        var problem = RenderChecks.Check(Channel.InApp, content, LinkPolicy.Default);

        Assert.Equal("content.link", problem?.Field);
        Assert.Contains("javascript", problem!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_safe_render_passes()
    {
        var content = await Render(Channel.InApp,
            new TemplateContent { Title = "Hi {{ name }}", Body = "See [it](https://example.com/{{ id }})", Link = "/bookings/{{ id }}", Icon = "https://cdn.example.com/i.png" },
            """{"name":"Ann","id":42}""");

        Assert.Null(RenderChecks.Check(Channel.InApp, content, LinkPolicy.Default));
    }

    [Theory]
    [InlineData("[click](javascript:alert(1))")]
    [InlineData("![img](data:image/svg+xml,x)")]
    [InlineData("<javascript:alert(1)>")]
    [InlineData("[ref]\n\n[ref]: vbscript:msgbox(1)")]
    public async Task Links_in_the_in_app_markdown_body_are_checked(string markdown)
    {
        var content = await Render(Channel.InApp, new TemplateContent { Title = "Hi", Body = "{{ text }}" },
            JsonSerializer.Serialize(new { text = markdown }));

        Assert.Equal("content.body", RenderChecks.Check(Channel.InApp, content, LinkPolicy.Default)?.Field);
    }

    [Theory]
    [InlineData("""<a href="{{ url }}">open</a>""", """{"url":"javascript:alert(1)"}""")]
    [InlineData("""<a href="{{ url }}">open</a>""", """{"url":"//evil.example"}""")]
    [InlineData("""<img src="{{ url }}">""", """{"url":"data:image/png;base64,AAAA"}""")]
    [InlineData("""<img srcset="https://ok.example/a.png 1x, {{ url }} 2x">""", """{"url":"javascript:alert(1)"}""")]
    [InlineData("""<a href="&#106;avascript:alert(1)">open</a>""", "{}")]
    [InlineData("""<a href="jav&#x09;ascript:alert(1)">open</a>""", "{}")]
    [InlineData("""<a href="java&Tab;script:alert(1)">open</a>""", "{}")]
    [InlineData("""<svg><a xlink:href="javascript:alert(1)">x</a></svg>""", "{}")]
    [InlineData("""<form action="javascript:alert(1)"><button>go</button></form>""", "{}")]
    [InlineData("""<p onclick="alert(1)">hi</p>""", "{}")]
    [InlineData("""<script>alert(1)</script>""", "{}")]
    [InlineData("""<iframe src="https://example.com"></iframe>""", "{}")]
    [InlineData("""<meta http-equiv="refresh" content="0;url=javascript:alert(1)">""", "{}")]
    [InlineData("""<IFRAME SRC="https://example.com"></IFRAME>""", "{}")]
    [InlineData("""<image src="javascript:alert(1)">""", "{}")]
    // Tags a document would take as text are checked too (stricter than a document, never looser).
    [InlineData("""<title><a href="javascript:alert(1)">x</a></title>""", "{}")]
    [InlineData("""<svg><![CDATA[><a href="javascript:alert(1)">]]></svg>""", "{}")]
    public async Task Email_html_links_and_script_are_checked(string html, string payload)
    {
        var content = await Render(Channel.Email, new TemplateContent { Subject = "Hi", Html = html }, payload);

        Assert.Equal("content.html", RenderChecks.Check(Channel.Email, content, LinkPolicy.Default)?.Field);
    }

    [Fact]
    public async Task Email_html_with_web_links_passes()
    {
        var content = await Render(Channel.Email,
            new TemplateContent { Subject = "Hi", Html = """<a href="{{ url }}">open</a> <img src="https://cdn.example.com/x.png"> <a href="/unsubscribe">u</a>""" },
            """{"url":"https://example.com/a?b=c&d=e"}""");

        Assert.Null(RenderChecks.Check(Channel.Email, content, LinkPolicy.Default));
    }

    [Fact]
    public async Task Markup_in_a_value_is_encoded_by_the_render_and_passes_as_text()
    {
        var content = await Render(Channel.Email, new TemplateContent { Subject = "Hi", Html = "<p>Hello {{ name }}</p>" },
            """{"name":"<script>alert(1)</script><a href=\"javascript:alert(1)\">x</a>"}""");

        Assert.Contains("&lt;script&gt;", content.Html, StringComparison.Ordinal);
        Assert.Null(RenderChecks.Check(Channel.Email, content, LinkPolicy.Default));
    }

    [Fact]
    public async Task A_tenant_scheme_is_allowed_in_a_push_link()
    {
        var content = await Render(Channel.Push, new TemplateContent { Title = "Hi", Link = "myapp://booking/{{ id }}" }, """{"id":1}""");

        Assert.NotNull(RenderChecks.Check(Channel.Push, content, LinkPolicy.Default));
        Assert.Null(RenderChecks.Check(Channel.Push, content, LinkPolicy.For(["myapp"])));
    }

    [Fact]
    public async Task Push_data_entries_named_like_links_are_checked()
    {
        var content = await Render(Channel.Push,
            new TemplateContent { Title = "Hi", Data = new() { ["deepLink"] = "{{ url }}", ["note"] = "at: {{ url }}" } },
            """{"url":"javascript:alert(1)"}""");

        Assert.Equal("content.data.deepLink", RenderChecks.Check(Channel.Push, content, LinkPolicy.Default)?.Field);
    }

    [Theory]
    [InlineData(Channel.InApp, "title", ChannelLimits.InAppTitle)]
    [InlineData(Channel.Push, "title", ChannelLimits.PushTitle)]
    [InlineData(Channel.Push, "body", ChannelLimits.PushBody)]
    [InlineData(Channel.Sms, "text", ChannelLimits.SmsText)]
    [InlineData(Channel.Email, "subject", ChannelLimits.EmailSubject)]
    public async Task A_field_rendered_over_its_channel_limit_fails(string channel, string field, int limit)
    {
        var source = new TemplateContent
        {
            Title = field == "title" ? "{{ v }}" : "t", Body = field == "body" ? "{{ v }}" : "b",
            Text = field == "text" ? "{{ v }}" : "t", Subject = field == "subject" ? "{{ v }}" : "s",
        };
        var atLimit = await Render(channel, source, JsonSerializer.Serialize(new { v = new string('x', limit) }));
        var over = await Render(channel, source, JsonSerializer.Serialize(new { v = new string('x', limit + 1) }));

        Assert.Null(RenderChecks.Check(channel, atLimit, LinkPolicy.Default));
        var problem = RenderChecks.Check(channel, over, LinkPolicy.Default);
        Assert.Equal("content." + field, problem?.Field);
        Assert.Contains(limit.ToString(System.Globalization.CultureInfo.InvariantCulture), problem!.Message, StringComparison.Ordinal);
    }
}
