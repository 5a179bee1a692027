using System.Security.Claims;
using Comms.Api.Auth;
using Comms.Core.Contexts;
using Microsoft.AspNetCore.Authentication;

namespace Comms.Api.Contexts;

/// <summary>
/// Who may act on a context's scheduled messages: a key of the tenant (service caller), or the context's owner
/// signed in with the host product's user token. One policy scheme picks the handler by the credential's shape — a
/// JWT (three dot-separated parts) goes to the user-token handler, anything else to the API-key handler — so a
/// user token never counts as a failed API key.
/// </summary>
public static class ContextHostAuth
{
    public const string Policy = "context-host";
    public const string Scheme = "ContextHost";

    public static IHostApplicationBuilder AddContextHostAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication().AddPolicyScheme(Scheme, "API key or the owner's user token", options =>
            options.ForwardDefaultSelector = http => LooksLikeJwt(http) ? AuthExtensions.UserTokenScheme : ApiKeyAuthenticationHandler.SchemeName);
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(Scheme)
            .RequireAuthenticatedUser()
            .RequireClaim(CommsClaims.Tenant));
        return builder;
    }

    /// <summary>Whether the caller is an end user (not a key): then only the context's owner may go on.</summary>
    public static bool IsEndUser(this ClaimsPrincipal user) => user.FindFirst(CommsClaims.ApiKeyId) is null;

    /// <summary>A key may read; writing needs an editor or admin key. An end user must own the context.</summary>
    public static bool MayAct(this ClaimsPrincipal user, Context context, bool writing) => user.IsEndUser()
        ? user.FindFirst(CommsClaims.Subject)?.Value == context.OwnerExternalId
        : !writing || user.IsInRole(Core.Tenancy.ApiKeyRoles.Editor) || user.IsInRole(Core.Tenancy.ApiKeyRoles.Admin);

    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Forbidden(ClaimsPrincipal user) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden, type: "COMMS_FORBIDDEN",
        title: user.IsEndUser() ? "Only the context's owner may do this." : "The API key may not do this.",
        detail: user.IsEndUser() ? "Sign in as the host of the context." : "This operation needs a key with the editor or admin role.");

    private static bool LooksLikeJwt(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.AsSpan(7).Trim().Count('.') == 2;
    }
}
