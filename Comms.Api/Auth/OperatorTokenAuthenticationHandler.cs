using System.Text.Encodings.Web;
using Comms.Core.Operators;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Comms.Api.Auth;

/// <summary>
/// Authenticates operators by the bearer token of <c>POST /sys/auth/token</c>: signature, issuer, audience and expiry
/// (<see cref="OperatorTokens"/>), then the security stamp (<see cref="OperatorStamps"/>), so a token issued before
/// "sign out everywhere" is refused. Failures count towards the address's failed-authentication budget, like keys.
/// </summary>
public sealed class OperatorTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    OperatorTokens tokens,
    OperatorStamps stamps,
    AuthFailureLimiter failures,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "OperatorToken";

    /// <summary>Chooses the operator token or the platform key by the shape of the bearer value (<c>/sys/*</c>).</summary>
    public const string SysSchemeName = "Sys";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = BearerToken.From(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }

        var address = RateLimitingExtensions.ClientAddress(Context);
        if (failures.Blocked(address) is { } blocked)
        {
            return AuthThrottling.Refuse(Context, blocked);
        }

        var claims = await tokens.ValidateAsync(presented);
        var failure = claims is null
            ? "The operator token is not valid or has expired; get a new one from POST /sys/auth/token."
            : await stamps.CurrentAsync(claims.OperatorId, Context.RequestAborted) != claims.StampHash
                ? "The operator token was revoked (signed out everywhere, or the operator changed); get a new one from POST /sys/auth/token."
                : null;
        if (failure is not null)
        {
            Context.Items[FailureItem] = failure;
            return await failures.FailedAsync(address, Context.RequestAborted) is { } retryAfter
                ? AuthThrottling.Refuse(Context, retryAfter)
                : AuthenticateResult.Fail(failure);
        }

        return AuthenticateResult.Success(new AuthenticationTicket(OperatorTokens.Principal(claims!, SchemeName), SchemeName));
    }

    private const string FailureItem = "comms.operator-token-failure";

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        AuthThrottling.RetryAfter(Context) is { } retryAfter
            ? RateLimitingExtensions.WriteRateLimitedAsync(Context, retryAfter)
            : AuthProblems.WriteAsync(problems, Context, StatusCodes.Status401Unauthorized, "COMMS_UNAUTHORIZED", "Authentication is required.",
                Context.Items[FailureItem] as string ?? "Send an operator token (POST /sys/auth/token) as 'Authorization: Bearer <token>'.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        AuthProblems.WriteAsync(problems, Context, StatusCodes.Status403Forbidden, "COMMS_FORBIDDEN",
            "The operator may not do this.", "This operation needs the SysOperator role; tenant roles reach only their own tenant.");
}
