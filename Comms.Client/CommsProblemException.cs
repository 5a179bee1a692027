using System.Net;
using System.Text.Json;
using Microsoft.Kiota.Abstractions;

namespace Comms.Client;

/// <summary>
/// An RFC 9457 problem-details answer of the Comms API: <see cref="Type"/> is its stable <c>COMMS_*</c> code (e.g.
/// <c>COMMS_UNKNOWN_EVENT</c>), <see cref="Errors"/> names the invalid fields of a <c>COMMS_VALIDATION</c>. Every
/// call through <see cref="CommsClient"/> that the API refuses throws it (it is a Kiota <see cref="ApiException"/>).
/// </summary>
public sealed class CommsProblemException : ApiException
{
    public CommsProblemException(string type, int status, string? title, string? detail,
        IReadOnlyDictionary<string, string[]> errors, IReadOnlyDictionary<string, JsonElement> extensions, TimeSpan? retryAfter = null)
        : base($"{status} {type}: {title}{(string.IsNullOrEmpty(detail) ? "" : " " + detail)}")
    {
        Type = type;
        Status = status;
        Title = title;
        Detail = detail;
        Errors = errors;
        Extensions = extensions;
        RetryAfter = retryAfter;
        ResponseStatusCode = status;
    }

    public CommsProblemException()
        : this("COMMS_ERROR", 0, null, null, new Dictionary<string, string[]>(), new Dictionary<string, JsonElement>())
    {
    }

    public CommsProblemException(string message)
        : base(message)
    {
        Type = "COMMS_ERROR";
        Errors = new Dictionary<string, string[]>();
        Extensions = new Dictionary<string, JsonElement>();
    }

    public CommsProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
        Type = "COMMS_ERROR";
        Errors = new Dictionary<string, string[]>();
        Extensions = new Dictionary<string, JsonElement>();
    }

    /// <summary>The problem's <c>type</c>: a stable <c>COMMS_*</c> code naming what is wrong.</summary>
    public string Type { get; }

    /// <summary>The HTTP status (also <see cref="ApiException.ResponseStatusCode"/>).</summary>
    public int Status { get; }

    public HttpStatusCode StatusCode => (HttpStatusCode)Status;

    public string? Title { get; }

    public string? Detail { get; }

    /// <summary>Field (JSON path) → messages, for validation problems; empty otherwise.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>Every other member of the problem, e.g. <c>field</c>, <c>traceId</c>, <c>retryAfterSeconds</c>.</summary>
    public IReadOnlyDictionary<string, JsonElement> Extensions { get; }

    /// <summary>The answer's <c>Retry-After</c> (429 and 503), if any.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The <c>field</c> extension: the JSON path a 422 names, if any.</summary>
    public string? Field => Extensions.TryGetValue("field", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
