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

    /// <summary>Renders <paramref name="source"/> with the payload's properties and the <see cref="TemplateBuiltIns"/> (the payload wins a name clash).</summary>
    public async ValueTask<string> RenderAsync(
        string? source, JsonElement payload, TextEncoder encoder, IReadOnlyDictionary<string, object?>? builtIns = null)
    {
        if (string.IsNullOrEmpty(source))
        {
            return "";
        }

        if (!source.Contains('{', StringComparison.Ordinal))
        {
            // No output or tag can start without a brace: the text renders as itself (text is never encoded).
            return source;
        }

        var template = Parse(source);
        var context = new TemplateContext(_options);
        foreach (var (name, value) in builtIns ?? new Dictionary<string, object?>())
        {
            context.SetValue(name, value);
        }

        if (payload.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in payload.EnumerateObject())
            {
                context.SetValue(property.Name, JsonValues.ToClr(property.Value));
            }
        }

        return await template.RenderAsync(context, encoder);
    }

    /// <summary>The names a template reads from its model (locals it assigns or loops over excluded); empty when it does not parse.</summary>
    public static IReadOnlySet<string> VariablesOf(string? source)
    {
        if (string.IsNullOrEmpty(source) || !Parser.TryParse(source, out var template, out _))
        {
            return new HashSet<string>();
        }

        var collector = new VariableCollector();
        collector.VisitTemplate(template);
        return collector.Used.Except(collector.Locals).ToHashSet(StringComparer.Ordinal);
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

/// <summary>Collects the root names of member expressions, and the locals a template defines itself.</summary>
internal sealed class VariableCollector : Fluid.Ast.AstVisitor
{
    public HashSet<string> Used { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Locals { get; } = new(StringComparer.Ordinal);

    protected override Fluid.Ast.Expression VisitMemberExpression(Fluid.Ast.MemberExpression memberExpression)
    {
        if (memberExpression.Segments.Count > 0 && memberExpression.Segments[0] is Fluid.Ast.IdentifierSegment root)
        {
            Used.Add(root.Identifier);
        }

        return base.VisitMemberExpression(memberExpression);
    }

    protected override Fluid.Ast.Statement VisitForStatement(Fluid.Ast.ForStatement forStatement)
    {
        Locals.Add(forStatement.Identifier);
        return base.VisitForStatement(forStatement);
    }

    protected override Fluid.Ast.Statement VisitAssignStatement(Fluid.Ast.AssignStatement assignStatement)
    {
        Locals.Add(assignStatement.Identifier);
        return base.VisitAssignStatement(assignStatement);
    }

    protected override Fluid.Ast.Statement VisitCaptureStatement(Fluid.Ast.CaptureStatement captureStatement)
    {
        Locals.Add(captureStatement.Identifier);
        return base.VisitCaptureStatement(captureStatement);
    }
}
