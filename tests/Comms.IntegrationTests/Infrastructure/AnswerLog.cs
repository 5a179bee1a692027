using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Comms.IntegrationTests.Infrastructure;

/// <summary>
/// Every answer an in-process API gives during the test run — (operation, status, problem type) — recorded by a
/// test-only middleware (<see cref="AnswerRecorder"/>, added to every API host by <see cref="ServiceFactory{TEntryPoint}"/>),
/// so a test can check that the OpenAPI document lists what the API really answered, without a hand-kept list.
/// </summary>
public static partial class AnswerLog
{
    private static readonly ConcurrentDictionary<Answer, int> Answers = new();

    public sealed record Answer(string Method, string Route, int Status, string? ContentType, string? ProblemType);

    public static IReadOnlyCollection<Answer> All => Answers.Keys.ToList();

    internal static void Record(Answer answer) => Answers.AddOrUpdate(answer, 1, (_, n) => n + 1);

    [GeneratedRegex(@"\{([^}:?=]+)[^}]*\}")]
    private static partial Regex RouteParameter();

    /// <summary>The document's path of a route pattern: <c>/v1/events/{id:guid}</c> → <c>/v1/events/{id}</c>.</summary>
    public static string PathOf(string route) => RouteParameter().Replace(route, "{$1}").TrimEnd('/') is { Length: > 0 } path ? path : "/";

    /// <summary>Every recorded answer the document does not declare: its status, its problem content, or its COMMS_* code in the description.</summary>
    public static List<string> Undocumented(JsonElement document, IEnumerable<Answer> answers)
    {
        var paths = document.GetProperty("paths");
        var failures = new List<string>();
        foreach (var answer in answers.OrderBy(a => a.Route, StringComparer.Ordinal).ThenBy(a => a.Method, StringComparer.Ordinal).ThenBy(a => a.Status))
        {
            var name = $"{answer.Method} {answer.Route} → {answer.Status}{(answer.ProblemType is null ? "" : " " + answer.ProblemType)}";
            if (!paths.TryGetProperty(answer.Route, out var item) || !item.TryGetProperty(answer.Method.ToLowerInvariant(), out var operation))
            {
                failures.Add($"{name}: the operation is not in the document");
                continue;
            }

            if (!operation.GetProperty("responses").TryGetProperty(answer.Status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response))
            {
                failures.Add($"{name}: status {answer.Status} is not documented");
                continue;
            }

            if (answer.Status < 400 || answer.ProblemType is null)
            {
                continue;
            }

            if (!response.TryGetProperty("content", out var content) || !content.TryGetProperty("application/problem+json", out _))
            {
                failures.Add($"{name}: documented without an application/problem+json body");
            }

            var description = response.TryGetProperty("description", out var text) ? text.GetString() ?? "" : "";
            if (answer.ProblemType.StartsWith("COMMS_", StringComparison.Ordinal)
                && !Regex.IsMatch(description, $@"\b{Regex.Escape(answer.ProblemType)}\b"))
            {
                failures.Add($"{name}: the description \"{description}\" does not name {answer.ProblemType}");
            }
        }

        return failures;
    }
}

/// <summary>Records each answer of the API under its operation (the endpoint's route pattern and the method).</summary>
internal sealed class AnswerRecorder : IStartupFilter
{
    private const int MaxCapturedBytes = 64 * 1024;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            var original = context.Response.Body;
            using var captured = new MemoryStream();
            context.Response.Body = new TeeStream(original, captured, MaxCapturedBytes);
            try
            {
                await nextMiddleware(context);
            }
            finally
            {
                context.Response.Body = original;
            }

            // The exception handler clears the endpoint before it writes its answer, but keeps it in its feature.
            var endpoint = context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
            if (endpoint is not RouteEndpoint { RoutePattern.RawText: { } raw } || !IsApi(raw) || IsCorsPreflight(context.Request))
            {
                return;
            }

            var contentType = context.Response.ContentType;
            AnswerLog.Record(new AnswerLog.Answer(context.Request.Method, AnswerLog.PathOf(raw), context.Response.StatusCode,
                contentType, ProblemType(contentType, captured)));
        });
        next(app);
    };

    /// <summary>A browser's CORS preflight (the inbox widget's) is answered by the CORS middleware, not an operation of the document.</summary>
    private static bool IsCorsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method) && request.Headers.ContainsKey("Access-Control-Request-Method");

    private static bool IsApi(string route) =>
        route.StartsWith("/v1/", StringComparison.Ordinal) || route.StartsWith("/me/", StringComparison.Ordinal)
        || route.StartsWith("/sys/", StringComparison.Ordinal);

    private static string? ProblemType(string? contentType, MemoryStream body)
    {
        if (contentType?.StartsWith("application/problem+json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            return document.RootElement.TryGetProperty("type", out var type) ? type.GetString() : "(no type)";
        }
        catch (JsonException)
        {
            return "(not JSON)";
        }
    }

    /// <summary>Writes through to the response and keeps a copy of the first bytes.</summary>
    private sealed class TeeStream(Stream inner, MemoryStream copy, int limit) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Keep(buffer.AsSpan(offset, count));
            inner.Write(buffer, offset, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Keep(buffer.Span);
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private void Keep(ReadOnlySpan<byte> bytes)
        {
            var room = limit - (int)copy.Length;
            if (room > 0)
            {
                copy.Write(bytes[..Math.Min(room, bytes.Length)]);
            }
        }
    }
}
