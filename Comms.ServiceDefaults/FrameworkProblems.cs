using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The <c>COMMS_*</c> type of a problem the framework writes by itself: a request that matches no route (404),
/// a path mapped for other methods (405), a body that is not JSON (415), and any other status that reaches the
/// status code pages or <c>Results.Problem</c> without a type. Problems that carry their own type keep it.
/// </summary>
internal static class FrameworkProblems
{
    private const string RfcTypePrefix = "https://tools.ietf.org/";

    public static string TypeOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "COMMS_BAD_REQUEST",
        StatusCodes.Status401Unauthorized => "COMMS_UNAUTHORIZED",
        StatusCodes.Status403Forbidden => "COMMS_FORBIDDEN",
        StatusCodes.Status404NotFound => "COMMS_NOT_FOUND",
        StatusCodes.Status405MethodNotAllowed => "COMMS_METHOD_NOT_ALLOWED",
        StatusCodes.Status406NotAcceptable => "COMMS_NOT_ACCEPTABLE",
        StatusCodes.Status408RequestTimeout => "COMMS_REQUEST_TIMEOUT",
        StatusCodes.Status409Conflict => "COMMS_CONFLICT",
        StatusCodes.Status411LengthRequired => "COMMS_LENGTH_REQUIRED",
        StatusCodes.Status413PayloadTooLarge => "COMMS_REQUEST_TOO_LARGE",
        StatusCodes.Status414UriTooLong => "COMMS_URI_TOO_LONG",
        StatusCodes.Status415UnsupportedMediaType => "COMMS_UNSUPPORTED_MEDIA_TYPE",
        StatusCodes.Status422UnprocessableEntity => "COMMS_UNPROCESSABLE",
        StatusCodes.Status429TooManyRequests => "COMMS_RATE_LIMITED",
        StatusCodes.Status503ServiceUnavailable => "COMMS_UNAVAILABLE",
        >= 500 => "COMMS_INTERNAL_ERROR",
        _ => "COMMS_CLIENT_ERROR",
    };

    /// <summary>A title that says what to do, for the statuses a caller meets without a handler's own words.</summary>
    public static string? TitleOf(int status) => status switch
    {
        StatusCodes.Status404NotFound => "No endpoint matches this path.",
        StatusCodes.Status405MethodNotAllowed => "This path does not take that HTTP method.",
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        StatusCodes.Status415UnsupportedMediaType => "The request body must be JSON (Content-Type: application/json).",
        _ => null,
    };

    /// <summary>Gives a problem without its own type a <c>COMMS_*</c> one (and, for a bare framework answer, a better title).</summary>
    public static void Apply(ProblemDetails problem, HttpContext context)
    {
        if (problem.Type is not null && !problem.Type.StartsWith(RfcTypePrefix, StringComparison.Ordinal) && problem.Type != "about:blank")
        {
            return;
        }

        var status = problem.Status ?? context.Response.StatusCode;
        problem.Type = TypeOf(status);
        if (TitleOf(status) is { } title && (problem.Title is null || problem.Title == ReasonPhrase(status)))
        {
            problem.Title = title;
        }

        if (status == StatusCodes.Status405MethodNotAllowed && problem.Detail is null
            && context.Response.Headers.Allow is { Count: > 0 } allow)
        {
            problem.Detail = $"Allowed: {allow}.";
        }
    }

    private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
}
