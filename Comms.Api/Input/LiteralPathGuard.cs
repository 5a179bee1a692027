using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Comms.Api.Input;

/// <summary>
/// Path parameters are taken literally. Servers normalise dot segments before routing (Kestrel turns
/// <c>DELETE /v1/recipients/x/devices/..</c> — or <c>%2e%2e</c> — into <c>DELETE /v1/recipients/x</c>), so a
/// request would reach another endpoint than the one its caller named. This guard reads the raw request
/// target and refuses any <c>.</c> or <c>..</c> segment, encoded or not, with 400 naming the route parameter
/// it stands in for (or <c>path</c>).
/// </summary>
public sealed class LiteralPathGuard(RequestDelegate next, EndpointDataSource endpoints)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || DotSegment(raw) is not { } found)
        {
            await next(context);
            return;
        }

        var parameter = ParameterAt(found.Segments, found.Index, context.Request.Method) ?? "path";
        await InputProblems.ValidationAsync(context, parameter, "A path segment is '.' or '..'.",
            $"'{found.Segments[found.Index]}' is not a valid value: path parameters are taken literally, and '.' and '..' (also percent-encoded) are refused.");
    }

    /// <summary>The decoded path segments of a raw request target and the index of the first dot segment, if any.</summary>
    public static (string[] Segments, int Index)? DotSegment(string rawTarget)
    {
        var path = rawTarget;
        var query = path.IndexOfAny(['?', '#']);
        if (query >= 0)
        {
            path = path[..query];
        }

        // Absolute-form targets (through proxies): drop the scheme and authority.
        var scheme = path.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0 && path.IndexOf('/') > scheme)
        {
            var slash = path.IndexOf('/', scheme + 3);
            path = slash < 0 ? "/" : path[slash..];
        }

        if (!path.Contains('.', StringComparison.Ordinal) && !path.Contains('%', StringComparison.Ordinal))
        {
            return null;
        }

        var segments = path.TrimStart('/').Split('/').Select(Decode).ToArray();
        var index = Array.FindIndex(segments, s => s is "." or "..");
        return index < 0 ? null : (segments, index);
    }

    private static string Decode(string segment)
    {
        try
        {
            return Uri.UnescapeDataString(segment);
        }
        catch (UriFormatException)
        {
            return segment;
        }
    }

    /// <summary>The route parameter an endpoint with this shape has at <paramref name="index"/> (this method's endpoints first).</summary>
    private string? ParameterAt(string[] segments, int index, string method)
    {
        string? any = null;
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            if (ParameterAt(endpoint.RoutePattern, segments, index) is not { } name)
            {
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            if (methods is null || methods.Contains(method, StringComparer.OrdinalIgnoreCase))
            {
                return name;
            }

            any ??= name;
        }

        return any;
    }

    private static string? ParameterAt(RoutePattern pattern, string[] segments, int index)
    {
        if (pattern.PathSegments.Count != segments.Length)
        {
            return null;
        }

        string? name = null;
        for (var i = 0; i < segments.Length; i++)
        {
            var parts = pattern.PathSegments[i].Parts;
            if (parts is [RoutePatternLiteralPart literal])
            {
                if (!string.Equals(literal.Content, segments[i], StringComparison.OrdinalIgnoreCase))
                {
                    return null;
                }
            }
            else if (parts is [RoutePatternParameterPart { IsCatchAll: false } parameter])
            {
                name = i == index ? parameter.Name : name;
            }
            else
            {
                return null;
            }
        }

        return name;
    }
}
