using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Comms.Api.Input;

/// <summary>
/// Path parameters are taken literally. Servers normalise dot segments before routing (Kestrel turns
/// <c>DELETE /v1/recipients/x/devices/..</c> — or <c>%2e%2e</c> — into <c>DELETE /v1/recipients/x</c>), so a
/// request would reach another endpoint than the one its caller named. This guard reads the raw request
/// target and refuses, with 400 naming the route parameter it stands in for (or <c>path</c>), any segment that
/// is <c>.</c> or <c>..</c> (encoded or not), holds an encoded <c>/</c> (<c>%2F</c>: servers leave it encoded, so
/// <c>a%2Fb</c> would be stored as the literal name "a%2Fb"), or is not valid percent-encoded UTF-8 (<c>%FF</c>,
/// <c>%C0%AF</c>, a lone <c>%</c>: servers pass those through undecoded as well).
/// </summary>
public sealed class LiteralPathGuard(RequestDelegate next, EndpointDataSource endpoints)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || BadSegment(raw) is not { } found)
        {
            await next(context);
            return;
        }

        var parameter = ParameterAt(found.Segments, found.Index, context.Request.Method) ?? "path";
        var (title, reason) = found.Problem switch
        {
            SegmentProblem.DotSegment => ("A path segment is '.' or '..'.", "path parameters are taken literally, and '.' and '..' (also percent-encoded) are refused."),
            SegmentProblem.EncodedSlash => ("A path segment holds an encoded '/'.", "a path parameter cannot contain '/', also not percent-encoded (%2F)."),
            _ => ("A path segment is not valid percent-encoded UTF-8.", "every '%' must start a %XX escape, and the escapes must decode to UTF-8 text."),
        };
        var shown = found.Raw.Length > 64 ? found.Raw[..64] + "…" : found.Raw;
        await InputProblems.ValidationAsync(context, parameter, title, $"'{shown}' is not a valid value: {reason}");
    }

    /// <summary>The first segment of a raw request target that a path parameter may not be, with what is wrong with it.</summary>
    public static BadPathSegment? BadSegment(string rawTarget)
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

        var raw = path.TrimStart('/').Split('/');
        var decoded = raw.Select(StrictDecode).ToArray();
        var segments = decoded.Select((d, i) => d ?? raw[i]).ToArray();
        for (var i = 0; i < raw.Length; i++)
        {
            var problem = decoded[i] switch
            {
                null => SegmentProblem.InvalidEncoding,
                "." or ".." => SegmentProblem.DotSegment,
                { } text when text.Contains('/', StringComparison.Ordinal) => SegmentProblem.EncodedSlash,
                _ => (SegmentProblem?)null,
            };
            if (problem is { } found)
            {
                return new BadPathSegment(segments, i, raw[i], found);
            }
        }

        return null;
    }

    /// <summary>The percent-decoded segment, or null when a '%' starts no %XX escape or the bytes are not UTF-8.</summary>
    private static string? StrictDecode(string segment)
    {
        if (!segment.Contains('%', StringComparison.Ordinal))
        {
            return segment;
        }

        var bytes = new List<byte>(segment.Length);
        for (var i = 0; i < segment.Length; i++)
        {
            if (segment[i] != '%')
            {
                bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(segment[i].ToString()));
                continue;
            }

            if (i + 2 >= segment.Length || !Uri.IsHexDigit(segment[i + 1]) || !Uri.IsHexDigit(segment[i + 2]))
            {
                return null;
            }

            bytes.Add((byte)((Uri.FromHex(segment[i + 1]) << 4) | Uri.FromHex(segment[i + 2])));
            i += 2;
        }

        try
        {
            return StrictUtf8.GetString(bytes.ToArray());
        }
        catch (System.Text.DecoderFallbackException)
        {
            return null;
        }
    }

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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

/// <summary>What is wrong with a raw path segment (see <see cref="LiteralPathGuard"/>).</summary>
public enum SegmentProblem
{
    DotSegment,
    EncodedSlash,
    InvalidEncoding,
}

/// <summary>A refused path segment: the decoded segments of the path, the index and raw text of the bad one, and why.</summary>
public sealed record BadPathSegment(string[] Segments, int Index, string Raw, SegmentProblem Problem);
