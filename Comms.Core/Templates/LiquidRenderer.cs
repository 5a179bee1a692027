using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Fluid;
using Microsoft.Extensions.Caching.Memory;

namespace Comms.Core.Templates;

/// <summary>
/// Liquid through the Fluid engine. Fluid is sandboxed by design (templates see only the payload
/// values given to them, never .NET members), and the step and recursion limits bound the work a
/// template can do. Parsed templates are cached by source text in a cache bounded by the total length of
/// the sources it holds (<see cref="CacheCharacters"/>); the least recently used are dropped beyond it.
/// </summary>
public sealed class LiquidRenderer
{
    public const long CacheCharacters = 16 * 1024 * 1024;
    private static readonly FluidParser Parser = new();
    private readonly MemoryCache _cache;
    private readonly TemplateOptions _options;

    public LiquidRenderer() : this(CacheCharacters)
    {
    }

    internal LiquidRenderer(long cacheCharacters)
    {
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = cacheCharacters, TrackStatistics = true });
        _options = new TemplateOptions
        {
            MaxSteps = 100_000,
            MaxRecursion = 32,
            CultureInfo = CultureInfo.InvariantCulture,
            TimeZone = TimeZoneInfo.Utc,
        };
    }

    /// <summary>The total length of the template sources whose parse is cached (at most the cache's limit).</summary>
    internal long CachedCharacters => _cache.GetCurrentStatistics()?.CurrentEstimatedSize ?? 0;

    /// <summary>Checks Liquid syntax; returns null when the source parses, else the parser's message.</summary>
    public static string? SyntaxError(string? source)
    {
        if (string.IsNullOrEmpty(source))
        {
            return null;
        }

        return Parser.TryParse(source, out _, out var error) ? null : error;
    }

    public async ValueTask<string> RenderAsync(string? source, JsonElement payload, TextEncoder encoder)
    {
        if (string.IsNullOrEmpty(source))
        {
            return "";
        }

        var template = Parse(source);
        var context = new TemplateContext(_options);
        if (payload.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in payload.EnumerateObject())
            {
                context.SetValue(property.Name, JsonValues.ToClr(property.Value));
            }
        }

        return await template.RenderAsync(context, encoder);
    }

    private IFluidTemplate Parse(string source)
    {
        if (_cache.TryGetValue(source, out IFluidTemplate? cached) && cached is not null)
        {
            return cached;
        }

        if (!Parser.TryParse(source, out var template, out var error))
        {
            throw new TemplateSyntaxException(error);
        }

        _cache.Set(source, template, new MemoryCacheEntryOptions { Size = source.Length, SlidingExpiration = TimeSpan.FromHours(1) });
        return template;
    }
}

public sealed class TemplateSyntaxException(string message) : Exception(message);
