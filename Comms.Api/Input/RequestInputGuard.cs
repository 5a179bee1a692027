using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Comms.Api.Input;

/// <summary>
/// Input that is hostile without looking malicious, refused before any handler runs:
/// <list type="bullet">
/// <item>a NUL character (U+0000) in a query parameter, a header, a path parameter or any string of a JSON
/// body — 400 <c>COMMS_VALIDATION</c> naming the parameter, header or JSON path (PostgreSQL cannot store it);
/// likewise a JSON string that is not UTF-8 or holds an unpaired surrogate escape (see <see cref="JsonTextScanner"/>);</item>
/// <item>a body over the endpoint's cap (<see cref="BodySizeLimit"/>, default <see cref="RequestLimitsOptions.MaxRequestBodyBytes"/>)
/// — 413 <c>COMMS_REQUEST_TOO_LARGE</c>, decided from <c>Content-Length</c> before reading, and for chunked
/// bodies while reading (never more than the cap is read).</item>
/// </list>
/// The body is read once into memory (it is at most the cap) and handed on, so binding reads the same bytes.
/// </summary>
public sealed class RequestInputGuard(RequestDelegate next, IOptions<RequestLimitsOptions> options)
{
    private const int ChunkSize = 16 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        if (NulInRequestLine(context) is { } field)
        {
            await InputProblems.NulAsync(context, field);
            return;
        }

        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize
            ?? options.Value.MaxRequestBodyBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } server)
        {
            server.MaxRequestBodySize = limit;
        }

        if (context.Request.ContentLength > limit)
        {
            await InputProblems.TooLargeAsync(context, limit);
            return;
        }

        if (HasBody(context.Request))
        {
            var body = await ReadBodyAsync(context, limit);
            if (body is null)
            {
                await InputProblems.TooLargeAsync(context, limit);
                return;
            }

            if (IsJson(context.Request) && JsonTextScanner.Find(body.GetBuffer().AsSpan(0, (int)body.Length)) is { } bad)
            {
                await InputProblems.TextAsync(context, bad.Path, bad.Problem);
                return;
            }

            context.Request.Body = body;
        }

        await next(context);
    }

    /// <summary>The query parameter, header or path parameter holding a NUL, if any.</summary>
    private static string? NulInRequestLine(HttpContext context)
    {
        foreach (var (key, values) in context.Request.Query)
        {
            if (key.Contains('\0', StringComparison.Ordinal) || values.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true))
            {
                return key.Replace("\0", "\\u0000", StringComparison.Ordinal);
            }
        }

        foreach (var (key, values) in context.Request.Headers)
        {
            if (values.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true))
            {
                return key;
            }
        }

        foreach (var (key, value) in context.Request.RouteValues)
        {
            if (value is string text && text.Contains('\0', StringComparison.Ordinal))
            {
                return key;
            }
        }

        return context.Request.Path.Value?.Contains('\0', StringComparison.Ordinal) == true ? "path" : null;
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0
        || (request.ContentLength is null && request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false
            && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method));

    private static bool IsJson(HttpRequest request) =>
        request.ContentType is { } type
        && (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || type.Contains("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads the whole body, or returns null as soon as it passes <paramref name="limit"/>.</summary>
    private static async Task<MemoryStream?> ReadBodyAsync(HttpContext context, long limit)
    {
        var buffer = new MemoryStream((int)Math.Min(context.Request.ContentLength ?? ChunkSize, limit));
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // The server's own cap (Kestrel) tripped first.
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        buffer.Position = 0;
        return buffer;
    }
}
