using System.Security.Claims;
using System.Text.Encodings.Web;
using Comms.Core.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Comms.Realtime.Auth;

public sealed class UserTokenAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>
    /// Where the token may also come as the <c>access_token</c> query parameter: the SignalR hub, because
    /// browsers cannot set headers on WebSocket requests. Everywhere else only the Authorization header counts.
    /// </summary>
    public PathString QueryTokenPath { get; set; }
}

/// <summary>
/// Authenticates end users by a tenant-signed JWT (<c>Authorization: Bearer &lt;jwt&gt;</c>) through the one
/// shared <see cref="UserTokenValidator"/>. A refused token is a 401 problem details <c>COMMS_UNAUTHORIZED</c>
/// whose <c>detail</c> says why (expired, unknown kid, bad signature, lifetime too long...).
/// </summary>
public sealed partial class UserTokenAuthenticationHandler(
    IOptionsMonitor<UserTokenAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    UserTokenValidator validator,
    IProblemDetailsService problems)
    : AuthenticationHandler<UserTokenAuthenticationOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = TokenOf(Request);
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        var result = await validator.ValidateAsync(token, Context.RequestAborted);
        if (!result.IsValid)
        {
            LogRefused(Logger, Request.Path, result.Failure!);
            return AuthenticateResult.Fail(result.Failure!);
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(UserTokens.TenantClaim, result.TenantId!),
                new Claim(UserTokens.SubjectClaim, result.ExternalId!),
                new Claim(UserTokens.KeyIdClaim, result.Kid!),
                new Claim(ClaimTypes.Name, result.ExternalId!),
            ],
            Scheme.Name, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        AuthenticationErrors.ThrowIfBroken(result);
        var presented = result.Failure is not null;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = presented ? "Bearer error=\"invalid_token\"" : "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Type = "COMMS_UNAUTHORIZED",
                Title = "Authentication is required.",
                Detail = presented
                    ? result.Failure!.Message
                    : "Send the user's session token (a JWT signed with one of the tenant's signing keys) as 'Authorization: Bearer <jwt>'.",
            },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = StatusCodes.Status403Forbidden, Type = "COMMS_FORBIDDEN", Title = "The user may not do this." },
        });
    }

    private string? TokenOf(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.Authorization].ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header[7..].Trim();
        }

        return Options.QueryTokenPath.HasValue && request.Path.StartsWithSegments(Options.QueryTokenPath)
            && request.Query["access_token"].ToString() is { Length: > 0 } query
            ? query
            : null;
    }

    [LoggerMessage(1, LogLevel.Information, "User token refused on {Path}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string path, string reason);
}
