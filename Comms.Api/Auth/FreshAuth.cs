using System.Globalization;
using System.Security.Claims;
using Comms.Api.OpenApi;
using Comms.Core.Operators;
using Microsoft.Extensions.Options;

namespace Comms.Api.Auth;

/// <summary>
/// Fresh-auth (SPEC S1): a sensitive operation by an operator needs a password entered within the last
/// <see cref="OperatorOptions.FreshAuthWindow"/> (5 minutes), read from the token's <c>auth_time</c>. Otherwise it
/// answers <c>401 COMMS_FRESH_AUTH_REQUIRED</c> with RFC 9470's step-up challenge
/// (<c>WWW-Authenticate: Bearer error="insufficient_user_authentication", max_age=300</c>): sign in again and repeat.
/// The platform key (automation, no person behind it) has no <c>auth_time</c> and is not asked.
/// </summary>
public static class FreshAuth
{
    /// <summary>Adds the fresh-auth check to a sensitive endpoint (and declares its 401 in the OpenAPI document).</summary>
    public static RouteHandlerBuilder RequireFreshAuth(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var options = http.RequestServices.GetRequiredService<IOptions<OperatorOptions>>().Value;
            var time = http.RequestServices.GetRequiredService<TimeProvider>();
            return IsFresh(http.User, time.GetUtcNow(), options.FreshAuthWindow) ? await next(context) : Refuse(http, options.FreshAuthWindow);
        }).ProducesProblems(StatusCodes.Status401Unauthorized, ProblemTypes.FreshAuthRequired);

    /// <summary>True for a caller without <c>auth_time</c> (the platform key) or one whose password is recent enough.</summary>
    public static bool IsFresh(ClaimsPrincipal user, DateTimeOffset now, TimeSpan window)
    {
        if (user.FindFirst(OperatorTokens.AuthTimeClaim)?.Value is not { } value)
        {
            return user.Identity?.AuthenticationType != OperatorTokenAuthenticationHandler.SchemeName;
        }

        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            && now - DateTimeOffset.FromUnixTimeSeconds(seconds) <= window;
    }

    private static IResult Refuse(HttpContext http, TimeSpan window)
    {
        var maxAge = ((long)window.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        http.Response.Headers.WWWAuthenticate =
            $"Bearer error=\"insufficient_user_authentication\", error_description=\"A recent sign-in is required\", max_age={maxAge}";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, type: ProblemTypes.FreshAuthRequired,
            title: "A recent sign-in is required.",
            detail: $"This operation needs a password entered within the last {window.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} minutes: get a new token from POST /sys/auth/token and repeat the request.",
            extensions: new Dictionary<string, object?> { ["maxAge"] = (long)window.TotalSeconds });
    }
}
