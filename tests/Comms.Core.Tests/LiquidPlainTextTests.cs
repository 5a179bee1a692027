using System.Text.Encodings.Web;
using System.Text.Json;
using Comms.Core.Templates;
using Fluid;

namespace Comms.Core.Tests;

/// <summary>A source without a brace is returned as is, without parsing: exactly what rendering it would give.</summary>
public sealed class LiquidPlainTextTests
{
    private readonly LiquidRenderer _liquid = new();

    [Theory]
    [InlineData("Maintenance on Sunday")]
    [InlineData("Fish & chips <b>tonight</b> \"quoted\" 'single' }} %} -")]
    [InlineData("  leading and trailing whitespace\n\tkept  ")]
    public async Task Plain_text_renders_as_itself_with_every_encoder(string source)
    {
        using var payload = JsonDocument.Parse("""{"name":"Ann"}""");
        foreach (TextEncoder encoder in new TextEncoder[] { HtmlEncoder.Default, NullEncoder.Default, JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
        {
            Assert.Equal(source, await _liquid.RenderAsync(source, payload.RootElement, encoder));
        }

        Assert.Equal(0, _liquid.CachedCharacters);
    }

    [Fact]
    public async Task A_source_with_a_brace_is_still_rendered()
    {
        using var payload = JsonDocument.Parse("""{"name":"<Ann>"}""");
        Assert.Equal("Hi &lt;Ann&gt;!", await _liquid.RenderAsync("Hi {{ name }}!", payload.RootElement, HtmlEncoder.Default));
    }
}
