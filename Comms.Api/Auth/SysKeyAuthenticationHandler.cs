using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Comms.Api.Auth;

/// <summary>
/// Authenticates platform operators on <c>/sys/*</c> by the key in <c>Comms:Sys:ApiKey</c>
/// (<c>Authorization: Bearer &lt;key&gt;</c>, compared in constant time). Without that setting the sys
/// endpoints are closed.
/// </summary>
public sealed class SysKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IConfiguration configuration,
    AuthFailureLimiter failures,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "SysKey";
    public const string SysRole = "sys";
    public const string ConfigurationKey = "Comms:Sys:ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = BearerToken.From(Request);
        var expected = configuration[ConfigurationKey];
        if (presented is null || string.IsNullOrEmpty(expected))
        {
            return AuthenticateResult.NoResult();
        }

        var address = RateLimitingExtensions.ClientAddress(Context);
        if (failures.Blocked(address) is { } blocked)
        {
            return AuthThrottling.Refuse(Context, blocked);
        }

        var match = CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
        if (!match)
        {
            return await failures.FailedAsync(address, Context.RequestAborted) is { } retryAfter
                ? AuthThrottling.Refuse(Context, retryAfter)
                : AuthenticateResult.Fail("The platform operator key is not valid.");
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "sys"), new Claim(ClaimTypes.Role, SysRole)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        AuthThrottling.RetryAfter(Context) is { } retryAfter
            ? RateLimitingExtensions.WriteRateLimitedAsync(Context, retryAfter)
            : AuthProblems.WriteAsync(problems, Context, StatusCodes.Status401Unauthorized, "COMMS_UNAUTHORIZED",
            "Authentication is required.",
            string.IsNullOrEmpty(configuration[ConfigurationKey])
                ? "The platform operator endpoints are closed: set Comms:Sys:ApiKey to open them."
                : "Send the platform operator key as 'Authorization: Bearer <key>'.");
}
