using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Comms.Api.OpenApi;

/// <summary>
/// A problem-details answer an endpoint can give, with the <c>COMMS_*</c> codes (the problem's <c>type</c>) it can
/// carry. The OpenAPI document lists it with the <c>ProblemDetails</c> schema and the codes in its description.
/// </summary>
public sealed class ProblemResponseMetadata(int statusCode, IReadOnlyList<string> codes) : IProducesResponseTypeMetadata
{
    public int StatusCode { get; } = statusCode;

    public IReadOnlyList<string> Codes { get; } = codes;

    public Type? Type => typeof(ProblemDetails);

    public IEnumerable<string> ContentTypes { get; } = [ProblemResponses.ContentType];

    public string? Description => ProblemResponses.Describe(StatusCode, Codes);
}

public static class ProblemResponses
{
    public const string ContentType = "application/problem+json";

    /// <summary>Declares that the endpoint answers <paramref name="statusCode"/> as problem details of one of <paramref name="codes"/>.</summary>
    /// <example><c>.ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)</c></example>
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder builder, int statusCode, params string[] codes) =>
        builder.WithMetadata(new ProblemResponseMetadata(statusCode, codes));

    /// <summary>The response description: the status's reason phrase and every code it can carry, e.g. "Not Found: COMMS_NOT_FOUND".</summary>
    public static string Describe(int statusCode, IEnumerable<string> codes, string? note = null)
    {
        var list = string.Join(", ", codes.Distinct(StringComparer.Ordinal));
        var text = list.Length == 0 ? ReasonPhrase(statusCode) : $"{ReasonPhrase(statusCode)}: {list}";
        return note is null ? text : $"{text}. {note}";
    }

    private static string ReasonPhrase(int statusCode) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(statusCode) is { Length: > 0 } phrase ? phrase : statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
