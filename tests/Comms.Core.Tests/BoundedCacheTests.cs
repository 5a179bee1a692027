using System.Text.Encodings.Web;
using System.Text.Json;
using Comms.Core.Templates;

namespace Comms.Core.Tests;

/// <summary>Caches are bounded by size; they never grow past their limit (nor empty themselves at N entries).</summary>
public sealed class BoundedCacheTests
{
    [Fact]
    public async Task Parsed_templates_are_cached_up_to_the_size_limit_and_every_render_stays_right()
    {
        var liquid = new LiquidRenderer(cacheCharacters: 1_000);
        using var payload = JsonDocument.Parse("""{"name":"Ann"}""");
        for (var i = 0; i < 50; i++)
        {
            var source = $"Template {i:D3} for {{{{ name }}}}." + new string(' ', 80);
            Assert.Equal($"Template {i:D3} for Ann.", (await liquid.RenderAsync(source, payload.RootElement, HtmlEncoder.Default)).TrimEnd());
            Assert.InRange(liquid.CachedCharacters, 0, 1_000);
        }

        Assert.True(liquid.CachedCharacters > 0);
    }
}
