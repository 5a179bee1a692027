using System.Globalization;
using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Operators;
using Comms.ServiceDefaults.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace Comms.Api.Operators;

public sealed record OperatorTokenRequest(string? Email, string? Password, string? Totp);

public sealed record OperatorTokenResponse(string AccessToken, int ExpiresIn, string TokenType);

/// <summary>
/// Operator sign-in for the <c>/sys/*</c> API: <c>POST /sys/auth/token</c> trades an email, password and (when
/// enrolled) an authenticator code for a short-lived bearer token. Rate limited per address like the Web's sign-in.
/// </summary>
public static partial class OperatorAuthApi
{
    public static RouteGroupBuilder MapOperatorTokenApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sys/auth").WithTags("Sys: operators").RequireRateLimiting(CommsRateLimitPolicies.SignIn);
        group.MapPost("/token", IssueToken).AllowAnonymous()
            .WithSummary("Sign in as an operator: a short-lived bearer token for /sys/*")
            .WithDescription("Give email, password and, once two-factor is enabled, totp (the authenticator app's 6-digit code). The token (a JWT, 15 minutes) carries auth_time: sensitive operations need a password entered within 5 minutes. Five wrong passwords or codes in a row lock the operator out for 15 minutes.")
            .ProducesProblems(StatusCodes.Status400BadRequest, ProblemTypes.BadRequest, ProblemTypes.Validation)
            .ProducesProblems(StatusCodes.Status401Unauthorized, ProblemTypes.InvalidCredentials, ProblemTypes.TotpRequired, ProblemTypes.TotpInvalid)
            .ProducesProblems(StatusCodes.Status413PayloadTooLarge, ProblemTypes.RequestTooLarge)
            .ProducesProblems(StatusCodes.Status415UnsupportedMediaType, ProblemTypes.BadRequest)
            .ProducesProblems(StatusCodes.Status423Locked, ProblemTypes.OperatorLockedOut)
            .ProducesProblems(StatusCodes.Status429TooManyRequests, ProblemTypes.RateLimited)
            .ProducesProblems(StatusCodes.Status503ServiceUnavailable, ProblemTypes.Unavailable);
        return group;
    }

    public static async Task<Results<Ok<OperatorTokenResponse>, ValidationProblem, ProblemHttpResult>> IssueToken(
        OperatorTokenRequest? request, OperatorSignIn signIn, OperatorTokens tokens, TimeProvider time, HttpContext http,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(request?.Email) || request.Email.Length > 256)
        {
            errors["email"] = ["email is required (at most 256 characters)."];
        }

        if (string.IsNullOrEmpty(request?.Password) || request.Password.Length > 1024)
        {
            errors["password"] = ["password is required (at most 1024 characters)."];
        }

        if (request?.Totp is { Length: > 16 })
        {
            errors["totp"] = ["totp is the authenticator app's 6-digit code."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The sign-in request is invalid.", type: ProblemTypes.Validation);
        }

        var logger = loggers.CreateLogger("Comms.Operators");
        var result = await signIn.CheckAsync(request!.Email!.Trim(), request.Password!, request.Totp, cancellationToken);
        switch (result.Status)
        {
            case OperatorSignInStatus.Succeeded:
                var now = time.GetUtcNow();
                var token = tokens.Issue(await signIn.ClaimsAsync(result.Operator!, now, cancellationToken));
                LogSignedIn(logger, result.Operator!.Id);
                http.Response.Headers.CacheControl = "no-store";
                return TypedResults.Ok(new OperatorTokenResponse(token, (int)tokens.Lifetime.TotalSeconds, "Bearer"));
            case OperatorSignInStatus.LockedOut:
                LogLockedOut(logger, result.Operator!.Id);
                var until = result.LockedUntil ?? time.GetUtcNow();
                var retryAfter = Math.Max(1, (long)Math.Ceiling((until - time.GetUtcNow()).TotalSeconds));
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(statusCode: StatusCodes.Status423Locked, type: ProblemTypes.OperatorLockedOut,
                    title: "The operator is locked out.",
                    detail: $"Too many failed sign-ins: try again after {until.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}.",
                    extensions: new Dictionary<string, object?> { ["lockedUntil"] = until });
            case OperatorSignInStatus.TotpRequired:
                return Unauthorized(http, ProblemTypes.TotpRequired, "An authenticator code is required.",
                    "This operator has two-factor sign-in: send the authenticator app's current code as 'totp'.");
            case OperatorSignInStatus.TotpInvalid:
                LogFailed(logger, result.Operator!.Id);
                return Unauthorized(http, ProblemTypes.TotpInvalid, "The authenticator code is not valid.",
                    "The code is wrong or expired: send the code the authenticator app shows now.");
            default:
                if (result.Operator is { } known)
                {
                    LogFailed(logger, known.Id);
                }

                return Unauthorized(http, ProblemTypes.InvalidCredentials, "The email or password is wrong.",
                    "No operator has this email and password.");
        }
    }

    private static ProblemHttpResult Unauthorized(HttpContext http, string type, string title, string detail)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, type: type, title: title, detail: detail);
    }

    [LoggerMessage(1, LogLevel.Information, "Operator {OperatorId} signed in (token issued).")]
    private static partial void LogSignedIn(ILogger logger, Guid operatorId);

    [LoggerMessage(2, LogLevel.Warning, "Operator {OperatorId} failed to sign in.")]
    private static partial void LogFailed(ILogger logger, Guid operatorId);

    [LoggerMessage(3, LogLevel.Warning, "Operator {OperatorId} is locked out.")]
    private static partial void LogLockedOut(ILogger logger, Guid operatorId);
}
