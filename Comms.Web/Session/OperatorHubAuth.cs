using System.Text.Encodings.Web;
using Comms.Core.Operators;
using Comms.Realtime;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Comms.Web.Session;

/// <summary>
/// Operators on the notifications hub: an operator token of <c>POST /sys/auth/token</c> (as <c>access_token</c>, or a
/// bearer header) is checked like the API checks it — signature, issuer, audience, expiry and the security stamp — and
/// the connection joins <see cref="NotificationsHub.OperatorsGroup"/> when the operator has SysOperator.
/// </summary>
public sealed class OperatorHubAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, OperatorTokens tokens, OperatorStamps stamps)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = NotificationsHub.OperatorAuthenticationType;

    /// <summary>The token of the request: <c>access_token</c> on the hub path (WebSockets cannot send headers), else the bearer header.</summary>
    public static string? TokenOf(HttpRequest request)
    {
        if (request.Path.StartsWithSegments(NotificationsHub.Path) && request.Query["access_token"].ToString() is { Length: > 0 } query)
        {
            return query;
        }

        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }

    /// <summary>A token issued for operators (issuer <c>comms-sys</c>), read without checking it: only to choose the scheme.</summary>
    public static bool IsOperatorToken(string? token)
    {
        if (token is null || token.Length > 8192 || token.Count(c => c == '.') != 2)
        {
            return false;
        }

        try
        {
            return new JsonWebToken(token).Issuer == OperatorTokens.Issuer;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (TokenOf(Request) is not { } token)
        {
            return AuthenticateResult.NoResult();
        }

        var claims = await tokens.ValidateAsync(token);
        if (claims is null || await stamps.CurrentAsync(claims.OperatorId, Context.RequestAborted) != claims.StampHash)
        {
            return AuthenticateResult.Fail("The operator token is not valid, has expired or was revoked.");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(OperatorTokens.Principal(claims, SchemeName), SchemeName));
    }
}
