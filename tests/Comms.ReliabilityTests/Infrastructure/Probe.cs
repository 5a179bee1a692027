using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Comms.ReliabilityTests.Infrastructure;

/// <summary>One request of a generated suite: what was sent (raw bytes, so that invalid UTF-8 travels as is) and a label for reports.</summary>
public sealed record Probe(string Label, string Method, string Url, string? Bearer, byte[]? Body = null, string? ContentType = "application/json")
{
    public Dictionary<string, string> Headers { get; init; } = [];

    /// <summary>
    /// Send the body chunked (no Content-Length, so the server must read to find it too large), over a raw socket
    /// that stops sending as soon as the answer arrives — as a careful client would; HttpClient keeps writing into
    /// a connection the server has closed and reports a broken pipe instead of the answer.
    /// </summary>
    public bool Chunked { get; init; }

    /// <summary>Send <c>Expect: 100-continue</c>: the body goes out only if the server asks for it.</summary>
    public bool ExpectContinue { get; init; }

    /// <summary>
    /// The request breaks HTTP itself (a NUL in the request line or a header, a request line over Kestrel's 8 KiB): the
    /// server refuses it before any application code runs, with a bare 400/414/431 that cannot carry problem details.
    /// </summary>
    public bool ServerMayRefuse { get; init; }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>What the request carried, as text (with a user token's claims): a marker it contains is the caller's own input, not a leak.</summary>
    public string RequestText => Uri.UnescapeDataString(Url) + "\n" + (Body is null ? "" : Encoding.UTF8.GetString(Body)) + "\n" + TokenClaims(Bearer);

    private static string TokenClaims(string? bearer)
    {
        var parts = bearer?.Split('.');
        if (parts is not { Length: 3 })
        {
            return "";
        }

        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        return Encoding.UTF8.GetString(Convert.FromBase64String(payload));
    }

    public override string ToString() => $"{Label}: {Method} {Shorten(Url)}";

    public static string Shorten(string text, int length = 160) => text.Length <= length ? text : text[..length] + $"…({text.Length} chars)";
}

/// <summary>The answer to a <see cref="Probe"/>.</summary>
public sealed record ProbeResult(Probe Probe, int Status, string? MediaType, string Body, string Headers)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>The problem-details <c>type</c>, or null when the body is not a problem document.</summary>
    public string? ProblemType
    {
        get
        {
            try
            {
                using var document = JsonDocument.Parse(Body);
                return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("type", out var type)
                    ? type.GetString()
                    : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>A 4xx <c>application/problem+json</c> answer whose type is a <c>COMMS_*</c> code.</summary>
    public bool IsCommsClientError =>
        Status is >= 400 and < 500 && MediaType == "application/problem+json" && ProblemType?.StartsWith("COMMS_", StringComparison.Ordinal) == true;

    /// <summary>Kestrel's own refusal of a request that breaks HTTP (see <see cref="Probe.ServerMayRefuse"/>): no body.</summary>
    public bool IsServerRefusal => Probe.ServerMayRefuse && Status is 400 or 414 or 431 && Body.Length == 0;

    /// <summary>
    /// A bulk sync's answer that refused every item (<c>POST /v1/recipients/bulk</c> answers 200 with one outcome per item):
    /// each is <c>invalid</c> with its errors, and nothing was created, updated or left unchanged.
    /// </summary>
    public bool IsItemRefusal
    {
        get
        {
            if (Status != 200 || MediaType != "application/json")
            {
                return false;
            }

            try
            {
                using var document = JsonDocument.Parse(Body);
                var root = document.RootElement;
                return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array
                    && items.GetArrayLength() > 0
                    && items.EnumerateArray().All(i => i.GetProperty("outcome").GetString() == "invalid" && i.GetProperty("errors").EnumerateObject().Any())
                    && new[] { "created", "updated", "unchanged" }.All(o => root.GetProperty(o).GetInt32() == 0);
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return false;
            }
        }
    }

    /// <summary>What the hostile suite accepts: a COMMS_* problem, a bulk answer refusing every item, or the server's refusal of a request that is not HTTP.</summary>
    public bool IsRefusal => IsCommsClientError || IsItemRefusal || IsServerRefusal;

    public override string ToString() => $"{Probe} -> {Status} {MediaType} {Probe.Shorten(Body, 300)}";
}

public static class ProbeRunner
{
    /// <summary>Sends every probe, <paramref name="parallelism"/> at a time, and returns the answers in order.</summary>
    public static async Task<IReadOnlyList<ProbeResult>> RunAsync(HttpClient client, IReadOnlyList<Probe> probes, int parallelism = 6)
    {
        var results = new ProbeResult[probes.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, probes.Count), new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (i, cancellationToken) => results[i] = await SendAsync(client, probes[i], cancellationToken));
        return results;
    }

    public static async Task<ProbeResult> SendAsync(HttpClient client, Probe probe, CancellationToken cancellationToken = default)
    {
        if (probe.Chunked)
        {
            return await RawHttp.SendChunkedAsync(client.BaseAddress!, probe, cancellationToken);
        }

        // The URL as written: no dot-segment removal, no unescaping (the server gets what a hostile client would send).
        var uri = new Uri(client.BaseAddress!.GetLeftPart(UriPartial.Authority) + probe.Url,
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var request = new HttpRequestMessage(new HttpMethod(probe.Method), uri);
        if (probe.Bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", probe.Bearer);
        }

        request.Headers.ExpectContinue = probe.ExpectContinue ? true : null;
        foreach (var (name, value) in probe.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (probe.Body is not null)
        {
            request.Content = new ByteArrayContent(probe.Body);
            if (probe.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", probe.ContentType);
            }
        }

        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var headers = string.Join('\n', response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(',', h.Value)}"));
            return new ProbeResult(probe, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, headers);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException)
        {
            // The connection failed (closed mid-request, or the client refused to send it): not an answer at all.
            return new ProbeResult(probe, 599, null, $"{ex.GetType().Name}: {ex.Message} {ex.InnerException?.Message}", "");
        }
    }
}
