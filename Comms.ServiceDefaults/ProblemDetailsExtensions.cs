using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// RFC 9457 problem details everywhere: every error response carries <c>type</c>, <c>title</c>,
/// <c>status</c>, <c>detail</c> and the <c>traceId</c>; malformed requests are 400s that name what is
/// wrong (the JSON path of a bad value), a backing service that is away is a 503 <c>COMMS_UNAVAILABLE</c>
/// with <c>Retry-After</c>, and unexpected failures are 500s without internals. Answers the
/// framework makes by itself (no route: 404, wrong method: 405, not JSON: 415, and the status code pages of
/// any other bare status) get a stable <c>COMMS_*</c> type too, never the RFC's link.
/// </summary>
public static class ProblemDetailsExtensions
{
    public static IServiceCollection AddProblemDetailsDefaults(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            context.ProblemDetails.Extensions.TryAdd("traceId", Activity.Current?.Id ?? context.HttpContext.TraceIdentifier);
            FrameworkProblems.Apply(context.ProblemDetails, context.HttpContext);
        });
        services.AddExceptionHandler<Comms.ServiceDefaults.Availability.UnavailableExceptionHandler>();
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }
}

internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is Microsoft.AspNetCore.Antiforgery.AntiforgeryValidationException)
        {
            httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails =
                {
                    Status = StatusCodes.Status400BadRequest,
                    Type = "COMMS_ANTIFORGERY",
                    Title = "The request's antiforgery token is missing or invalid.",
                    Detail = "Reload the page and try again.",
                },
            });
        }

        if (exception is not BadHttpRequestException bad)
        {
            // Unexpected: the exception handler middleware logs it and answers a bare 500 problem.
            return false;
        }

        var detail = bad.InnerException switch
        {
            JsonException json when json.Path is not null =>
                $"The request body is not valid JSON for this endpoint at '{json.Path}': {FirstSentence(json.Message)}",
            JsonException json => $"The request body is not valid JSON: {FirstSentence(json.Message)}",
            _ => bad.Message,
        };

        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = bad.StatusCode,
                Type = FrameworkProblems.TypeOf(bad.StatusCode),
                Title = FrameworkProblems.TitleOf(bad.StatusCode) ?? "The request is malformed.",
                Detail = detail,
            },
        });
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        var sentence = end > 0 ? message[..(end + 1)] : message;
        // Say what was expected in JSON terms rather than .NET type names.
        return sentence
            .Replace("System.Collections.Generic.List`1[System.String]", "a list of strings", StringComparison.Ordinal)
            .Replace("System.String[]", "a list of strings", StringComparison.Ordinal)
            .Replace("System.String", "a string", StringComparison.Ordinal)
            .Replace("System.Int32", "an integer", StringComparison.Ordinal)
            .Replace("System.Boolean", "true or false", StringComparison.Ordinal)
            .Replace("System.Nullable`1[System.DateTimeOffset]", "an ISO 8601 date-time", StringComparison.Ordinal)
            .Replace("System.DateTimeOffset", "an ISO 8601 date-time", StringComparison.Ordinal)
            .Replace("System.Nullable`1[System.Text.Json.JsonElement]", "a JSON value", StringComparison.Ordinal);
    }
}
