using System.Security.Claims;
using System.Text.Encodings.Web;
using Comms.Core.Tenancy;
using Comms.Realtime.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Comms.Api.Auth;

/// <summary>Authenticates service callers by a tenant API key sent as <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys,
    AuthFailureLimiter failures,
    WarmUpCredential warmUp,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = BearerToken.From(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (warmUp.Authenticate(presented, Context, SchemeName) is { } warmUpPrincipal)
        {
            return AuthenticateResult.Success(new AuthenticationTicket(warmUpPrincipal, SchemeName));
        }

        var address = RateLimitingExtensions.ClientAddress(Context);
        if (failures.Blocked(address) is { } blocked)
        {
            return AuthThrottling.Refuse(Context, blocked);
        }

        var identity = await keys.AuthenticateAsync(presented, Context.RequestAborted);
        if (identity is null)
        {
            return await failures.FailedAsync(address, Context.RequestAborted) is { } retryAfter
                ? AuthThrottling.Refuse(Context, retryAfter)
                : AuthenticateResult.Fail("The API key is not valid or has been revoked.");
        }

        var claims = new List<Claim>
        {
            new(CommsClaims.Tenant, identity.TenantId),
            new(CommsClaims.ApiKeyId, identity.KeyId.ToString()),
            new(CommsClaims.ApiKeyPrefix, identity.Prefix),
            new(ClaimTypes.Name, identity.Name),
        };
        claims.AddRange(identity.Roles.Select(role => new Claim(ClaimTypes.Role, role)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        AuthenticationErrors.ThrowIfBroken(await HandleAuthenticateOnceSafeAsync());
        if (AuthThrottling.RetryAfter(Context) is { } retryAfter)
        {
            await RateLimitingExtensions.WriteRateLimitedAsync(Context, retryAfter);
            return;
        }

        var presented = BearerToken.From(Request) is not null;
        await AuthProblems.WriteAsync(problems, Context, StatusCodes.Status401Unauthorized, "COMMS_UNAUTHORIZED",
            "Authentication is required.",
            presented
                ? "The API key is not valid or has been revoked."
                : "Send a tenant API key as 'Authorization: Bearer <key>'.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        AuthProblems.WriteAsync(problems, Context, StatusCodes.Status403Forbidden, "COMMS_FORBIDDEN",
            "The API key may not do this.", "This operation needs a key with another role.");
}
