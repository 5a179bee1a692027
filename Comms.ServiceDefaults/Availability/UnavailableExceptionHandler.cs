using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Comms.ServiceDefaults.Availability;

/// <summary>
/// While PostgreSQL (or Redis, where a request needs it) is away — stopped, restarting, refusing connections —
/// a request answers 503 problem details <c>COMMS_UNAVAILABLE</c> with <c>Retry-After</c>, not a bare 500: the
/// client is told to try again, and nothing was stored half-way (each write is one transaction). The connection
/// pools reconnect by themselves when the server is back.
/// </summary>
public sealed partial class UnavailableExceptionHandler(IProblemDetailsService problems, ILogger<UnavailableExceptionHandler> logger)
    : IExceptionHandler
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!Failures.IsInfrastructure(exception))
        {
            return false;
        }

        LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, exception.GetType().Name, exception.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = "COMMS_UNAVAILABLE",
                Title = "The service is temporarily unavailable.",
                Detail = $"A backing service is unreachable; nothing was stored. Try again in {RetryAfter.TotalSeconds:0} seconds.",
            },
        });
    }

    [LoggerMessage(1, LogLevel.Warning, "{Method} {Path} answered 503: a backing service is unavailable ({Failure}: {Problem})")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string failure, string problem);
}
