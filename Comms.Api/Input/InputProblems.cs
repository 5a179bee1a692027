namespace Comms.Api.Input;

/// <summary>The problem-details answers of the input guards.</summary>
internal static class InputProblems
{
    public static Task NulAsync(HttpContext context, string field) =>
        ValidationAsync(context, field, "The request contains a NUL character.",
            "NUL characters (U+0000) are not allowed in any text: remove it.");

    public static Task TextAsync(HttpContext context, string field, JsonTextProblem problem) =>
        ValidationAsync(context, field, problem switch
        {
            JsonTextProblem.Nul => "The request contains a NUL character.",
            JsonTextProblem.InvalidUtf8 => "The request body is not valid UTF-8.",
            _ => "The request contains an unpaired UTF-16 surrogate.",
        }, JsonTextScanner.Describe(problem));

    public static Task ValidationAsync(HttpContext context, string field, string title, string message) =>
        TypedResults.ValidationProblem(
                new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] },
                detail: $"{field}: {message}", title: title, type: "COMMS_VALIDATION")
            .ExecuteAsync(context);

    public static Task TooLargeAsync(HttpContext context, long limit)
    {
        // The rest of an oversized body is not read; the connection is not worth keeping.
        context.Response.Headers.Connection = "close";
        return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, type: "COMMS_REQUEST_TOO_LARGE",
                title: "The request body is too large.",
                detail: $"This endpoint accepts at most {limit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes of body.",
                extensions: new Dictionary<string, object?> { ["limit"] = limit })
            .ExecuteAsync(context);
    }
}
