using System.Text;
using System.Text.Json.Nodes;
using Comms.ReliabilityTests.Infrastructure;

namespace Comms.ReliabilityTests.Hostile;

/// <summary>
/// Generates the hostile requests for one operation of the OpenAPI document from its example body (see
/// <see cref="OperationCatalog"/>) and its parameters. None of them is a valid request: each carries exactly one
/// thing that must be refused, so the only right answer is a 4xx problem document.
/// </summary>
public static class HostileRequests
{
    public const int OneMegabyte = 1_040_000; // over every text limit (email HTML: 1,000,000) and under the 1 MiB body cap
    private const int Depth = 10_000;
    private const string Placeholder = "@@hostile-value@@";

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF, 0xFE], // never valid in UTF-8
        [0xC0, 0xAF], // an overlong '/'
        [0xED, 0xA0, 0x80], // a UTF-16 surrogate encoded as UTF-8
        [0x80], // a lone continuation byte
        [0xF8, 0x88, 0x80, 0x80, 0x80], // a five-byte sequence
        [0x61, 0xE2, 0x82], // a truncated sequence
    ];

    private static readonly string[] Malformed =
    [
        "{", "[", "{\"a\":}", "{\"a\" 1}", "nul", "{'a':1}", "\"unterminated", "{\"a\":1}}", "{} {}", "[]", "42", "\"text\"", "true",
        "null", "", "/* comment */ {}", "{\"a\":1,}", "\u00EF\u00BB\u00BF", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":0x10}", "{\"a\":01}",
    ];

    private static readonly string[] WrongContentTypes =
    [
        "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream",
        "text/json-but-not-really", "application/json; charset=utf-16",
    ];

    /// <summary>Path parameter values that must never reach another resource than the one named (and never be stored as a name).</summary>
    private static readonly string[] PathTraversal =
    [
        "..", ".", "%2e%2e", "%2E%2E", "%2e", ".%2e", "..%2F..%2Fsys%2Ftenants", "%2e%2e%2f%2e%2e", "%2F", "a%2Fb", "a%2F..%2Fb",
        "%FF%FE", "%C0%AF", "%ED%A0%80", "%E2%82", "%", "a%2", "%zz",
    ];

    private static readonly string[] NotANumber = ["-1", "1e309", "9223372036854775808", "abc", "1.5", "0x10"];

    public static IEnumerable<Probe> For(ApiOperation operation, SeededTenant tenant, string bearer)
    {
        var url = OperationCatalog.Fill(tenant, operation);
        var baseBody = OperationCatalog.For(operation).Body?.Invoke(tenant);
        var validBody = baseBody is null ? null : Probe.Utf8(baseBody.ToJsonString());
        Probe Make(string label, string path, byte[]? body, string? contentType = "application/json") =>
            new($"{operation.Key} [{label}]", operation.Method, path, bearer, body, contentType);

        // Path parameters: traversal, encoded slashes, NUL, invalid UTF-8, a megabyte; numbers where a number or uuid is expected.
        foreach (var parameter in operation.PathParameters)
        {
            // 6,000 characters reach the application (under Kestrel's 8 KiB request line); a megabyte is the server's to refuse.
            var values = PathTraversal.Append(new string('x', 6_000)).ToList();
            if (parameter.IsInteger || parameter.Format == "uuid")
            {
                values.AddRange(NotANumber);
            }

            foreach (var value in values)
            {
                yield return Make($"path {parameter.Name}={Probe.Shorten(value, 30)}", OperationCatalog.Fill(tenant, operation, parameter.Name, value), validBody);
            }

            foreach (var value in new[] { "%00", "a%00b", new string('x', OneMegabyte) })
            {
                yield return Make($"path {parameter.Name}={Probe.Shorten(value, 30)}", OperationCatalog.Fill(tenant, operation, parameter.Name, value), validBody)
                    with { ServerMayRefuse = true };
            }
        }

        // Query parameters: NUL everywhere; out-of-range, non-integer and overflowing numbers; unknown values of strict parameters.
        foreach (var parameter in operation.QueryParameters)
        {
            var values = new List<string> { "%00", "a%00b" };
            if (parameter.IsInteger)
            {
                values.AddRange(["abc", "1e309", "9223372036854775808", "-9223372036854775809", "1.5", "0x10", "%FF%FE"]);
                if (parameter.Name == "limit")
                {
                    values.AddRange(["-1", "0", "2147483648", "1000000"]);
                }
            }
            else if (OperationCatalog.StringQueries[$"{operation.Key}?{parameter.Name}"] == QueryKind.Strict)
            {
                values.AddRange(["-1", "%FF%FE", "..%2F..", new string('x', 6_000), "unread,read"]);
            }

            foreach (var value in values)
            {
                yield return Make($"query {parameter.Name}={Probe.Shorten(value, 30)}", $"{url}?{parameter.Name}={value}", validBody);
            }
        }

        yield return Make("NUL in an unknown query parameter", url + "?reliability=%00", validBody);
        yield return Make("NUL in a header", url, validBody) with { Headers = new() { ["X-Reliability"] = "a\0b" }, ServerMayRefuse = true };
        if (operation.Key is "POST /v1/events" or "POST /v1/events/bulk")
        {
            foreach (var key in new[] { "", "   ", "a\0b", new string('k', 300), "line\u0001break" })
            {
                yield return Make($"Idempotency-Key '{Probe.Shorten(key, 20)}'", url, validBody)
                    with { Headers = new() { ["Idempotency-Key"] = key }, ServerMayRefuse = key.Contains('\0', StringComparison.Ordinal) };
            }
        }

        if (validBody is null)
        {
            // No body expected: one far over the cap is still refused from its Content-Length, before it is sent.
            yield return Make("10 MB body", url, new byte[10 * 1024 * 1024]) with { ExpectContinue = true };
            yield break;
        }

        yield return Make("10 MB body, chunked", url, BigBody()) with { Chunked = true };
        foreach (var contentType in WrongContentTypes)
        {
            yield return Make($"Content-Type {contentType}", url, validBody, contentType);
        }

        yield return Make("no Content-Type", url, validBody, contentType: null);
        foreach (var text in Malformed)
        {
            yield return Make($"malformed {Probe.Shorten(text, 20)}", url, Probe.Utf8(text));
        }

        yield return Make("deep arrays", url, Probe.Utf8(new string('[', Depth) + new string(']', Depth)));
        yield return Make("deep objects", url, Probe.Utf8(string.Concat(Enumerable.Repeat("{\"a\":", Depth)) + "1" + new string('}', Depth)));
        yield return Make("NUL in a property name", url, Probe.Utf8(With(baseBody!, b => b["na\0me"] = "x")));
        yield return Make("raw NUL byte", url, Probe.Utf8(baseBody!.ToJsonString().Insert(1, "\"a\":\"a\0b\",")));

        var leaves = Paths(baseBody!).ToList();
        var firstString = true;
        foreach (var (path, node) in leaves)
        {
            var name = string.Join('.', path);
            // Free-form JSON: a recipient's attributes, also inside a bulk item (recipients.0.attributes.plan).
            var attributesAt = path.IndexOf("attributes");
            var freeForm = attributesAt >= 0 && path.Count > attributesAt + 1;
            if (path.Count == 1)
            {
                yield return Make($"{name}: 10,000-deep", url, Replace(baseBody!, path, Placeholder, new string('[', Depth) + new string(']', Depth)));
            }

            var kind = node?.GetValueKind();
            if (!freeForm)
            {
                foreach (var wrong in WrongTypes(kind))
                {
                    yield return Make($"{name}: wrong type {wrong}", url, Replace(baseBody!, path, Placeholder, wrong));
                }
            }

            if (kind == System.Text.Json.JsonValueKind.Number && !freeForm)
            {
                foreach (var number in new[] { "1e309", "-1", "9223372036854775808", "-9223372036854775809", "1.5", "1e-400", "-0.0001" })
                {
                    yield return Make($"{name}: {number}", url, Replace(baseBody!, path, Placeholder, number));
                }
            }

            if (kind != System.Text.Json.JsonValueKind.String)
            {
                continue;
            }

            yield return Make($"{name}: 1 MB", url, Replace(baseBody!, path, Placeholder, "\"" + new string('x', OneMegabyte) + "\""));
            yield return Make($"{name}: NUL", url, Replace(baseBody!, path, Placeholder, "\"a\\u0000b\""));
            yield return Make($"{name}: lone surrogate", url, Replace(baseBody!, path, Placeholder, "\"a\\ud800b\""));
            var variants = firstString ? InvalidUtf8 : InvalidUtf8.Take(2);
            foreach (var bytes in variants)
            {
                yield return Make($"{name}: invalid UTF-8 {Convert.ToHexString(bytes)}", url, Replace(baseBody!, path, Placeholder, bytes));
            }

            firstString = false;
        }
    }

    /// <summary>Every property and array element below the root, with its path.</summary>
    private static IEnumerable<(List<string> Path, JsonNode? Node)> Paths(JsonNode node, List<string>? prefix = null)
    {
        prefix ??= [];
        IEnumerable<(string Key, JsonNode? Child)> children = node switch
        {
            JsonObject o => o.Select(p => (p.Key, p.Value)),
            JsonArray a => a.Select((c, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), c)),
            _ => [],
        };
        foreach (var (key, child) in children)
        {
            var path = new List<string>(prefix) { key };
            yield return (path, child);
            if (child is JsonObject or JsonArray)
            {
                foreach (var inner in Paths(child, path))
                {
                    yield return inner;
                }
            }
        }
    }

    private static string[] WrongTypes(System.Text.Json.JsonValueKind? kind) => kind switch
    {
        System.Text.Json.JsonValueKind.String => ["42", "true", "{}", "[]"],
        System.Text.Json.JsonValueKind.Number => ["\"x\"", "true", "{}", "[]"],
        System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => ["\"x\"", "1", "{}", "[]"],
        System.Text.Json.JsonValueKind.Object => ["\"x\"", "42", "[]", "true"],
        System.Text.Json.JsonValueKind.Array => ["\"x\"", "42", "{}", "true"],
        _ => ["42", "{}", "[]"],
    };

    /// <summary>The body with the value at <paramref name="path"/> replaced by raw JSON text.</summary>
    private static byte[] Replace(JsonObject body, List<string> path, string placeholder, string rawJson) =>
        Replace(body, path, placeholder, Encoding.UTF8.GetBytes(rawJson), raw: true);

    /// <summary>The body with the string at <paramref name="path"/> replaced by raw bytes inside its quotes.</summary>
    private static byte[] Replace(JsonObject body, List<string> path, string placeholder, byte[] bytes) =>
        Replace(body, path, placeholder, bytes, raw: false);

    private static byte[] Replace(JsonObject body, List<string> path, string placeholder, byte[] bytes, bool raw)
    {
        var copy = (JsonObject)body.DeepClone();
        JsonNode parent = copy;
        foreach (var segment in path[..^1])
        {
            parent = parent is JsonArray array ? array[int.Parse(segment, System.Globalization.CultureInfo.InvariantCulture)]! : parent[segment]!;
        }

        if (parent is JsonArray list)
        {
            list[int.Parse(path[^1], System.Globalization.CultureInfo.InvariantCulture)] = placeholder;
        }
        else
        {
            parent[path[^1]] = placeholder;
        }

        var text = copy.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var marker = raw ? "\"" + placeholder + "\"" : placeholder;
        var index = text.IndexOf(marker, StringComparison.Ordinal);
        var before = Encoding.UTF8.GetBytes(text[..index]);
        var after = Encoding.UTF8.GetBytes(text[(index + marker.Length)..]);
        return [.. before, .. bytes, .. after];
    }

    private static string With(JsonObject body, Action<JsonObject> change)
    {
        var copy = (JsonObject)body.DeepClone();
        change(copy);
        return copy.ToJsonString();
    }

    private static byte[] BigBody()
    {
        var body = new byte[10 * 1024 * 1024];
        body.AsSpan().Fill((byte)'x');
        "{\"a\":\""u8.CopyTo(body);
        return body;
    }
}
