using System.Security.Claims;
using Comms.Core.Auth;
using Comms.Core.Tenancy;
using Comms.Realtime.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace Comms.Api.Auth;

public static class AuthExtensions
{
    public const string ServicePolicy = "service";
    public const string EndUserPolicy = "end-user";

    /// <summary>API keys with the <c>admin</c> role: manage keys and tenant settings.</summary>
    public const string AdminPolicy = "service-admin";

    /// <summary>API keys with the <c>editor</c> (or <c>admin</c>) role: write templates, rules, categories, recipients.</summary>
    public const string EditorPolicy = "service-editor";

    /// <summary>
    /// Platform operators on <c>/sys/*</c>: the key in <c>Comms:Sys:ApiKey</c> (automation), or an operator token
    /// (<c>POST /sys/auth/token</c>) of an operator with the <c>SysOperator</c> role.
    /// </summary>
    public const string SysPolicy = "sys";

    /// <summary>Any signed-in operator (an operator token, whatever its roles): the operator's own account, <c>/sys/auth/*</c>.</summary>
    public const string OperatorPolicy = "operator";

    /// <summary>API keys with the <c>approver</c> role: approve publishes of critical templates.</summary>
    public const string ApproverPolicy = "service-approver";
    public const string UserTokenScheme = UserTokenAuthentication.SchemeName;

    /// <summary>The endpoints routing selects to refuse a request itself (ASP.NET Core's matcher policies name them so).</summary>
    private static readonly HashSet<string> RoutingRejections = new(StringComparer.Ordinal)
    {
        "405 HTTP Method Not Supported", "415 HTTP Unsupported Media Type",
    };

    public static IHostApplicationBuilder AddCommsAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddSingleton<AuthFailureLimiter>();

        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, SysKeyAuthenticationHandler>(SysKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, OperatorTokenAuthenticationHandler>(OperatorTokenAuthenticationHandler.SchemeName, null)
            // One bearer header, two credentials: a JWT-shaped value is an operator token, anything else the platform key.
            .AddPolicyScheme(OperatorTokenAuthenticationHandler.SysSchemeName, null, options => options.ForwardDefaultSelector = http =>
                Comms.Core.Operators.OperatorTokens.LooksLikeToken(BearerToken.From(http.Request))
                    ? OperatorTokenAuthenticationHandler.SchemeName
                    : SysKeyAuthenticationHandler.SchemeName)
            .AddCommsUserTokens();
        builder.Services.AddSingleton<SigningKeyService>();

        builder.Services.AddAuthorizationBuilder()
            // An endpoint that names no policy (and is not AllowAnonymous) is closed: 401, or 403 for a valid key.
            // A request that matched no endpoint passes, so that it ends as the 404 it is; so does one that routing
            // answers itself (405 for a wrong method, 415 for a body that is not JSON), rather than becoming a 401/403.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName)
                .RequireAssertion(context => context.Resource is HttpContext http
                    && (http.GetEndpoint() is null || RoutingRejections.Contains(http.GetEndpoint()!.DisplayName ?? "")))
                .Build())
            .AddPolicy(ServicePolicy, policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser()
                .RequireClaim(CommsClaims.Tenant))
            .AddPolicy(AdminPolicy, policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireClaim(CommsClaims.Tenant)
                .RequireRole(ApiKeyRoles.Admin))
            .AddPolicy(EditorPolicy, policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireClaim(CommsClaims.Tenant)
                .RequireRole(ApiKeyRoles.Editor, ApiKeyRoles.Admin))
            .AddPolicy(ApproverPolicy, policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireClaim(CommsClaims.Tenant)
                .RequireRole(ApiKeyRoles.Approver))
            .AddPolicy(SysPolicy, policy => policy
                .AddAuthenticationSchemes(OperatorTokenAuthenticationHandler.SysSchemeName)
                .RequireRole(SysKeyAuthenticationHandler.SysRole, Comms.Core.Operators.OperatorRoles.SysOperator))
            .AddPolicy(OperatorPolicy, policy => policy
                .AddAuthenticationSchemes(OperatorTokenAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser()
                .RequireClaim(CommsClaims.Subject))
            .AddPolicy(EndUserPolicy, policy => policy
                .AddAuthenticationSchemes(UserTokenScheme)
                .RequireAuthenticatedUser()
                .RequireClaim(CommsClaims.Tenant)
                .RequireClaim(CommsClaims.Subject));
        return builder;
    }

    /// <summary>The tenant of the authenticated caller (API key or user token).</summary>
    public static string TenantId(this ClaimsPrincipal user) =>
        user.FindFirst(CommsClaims.Tenant)?.Value ?? throw new InvalidOperationException("The caller has no tenant claim.");

    /// <summary>The id of the API key that made the request (the actor recorded on writes).</summary>
    public static Guid ApiKeyId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirst(CommsClaims.ApiKeyId)?.Value ?? throw new InvalidOperationException("The caller is not an API key."));

    /// <summary>A readable actor name for audit fields: the key's name and prefix.</summary>
    public static string Actor(this ClaimsPrincipal user) =>
        $"{user.FindFirst(ClaimTypes.Name)?.Value} ({user.FindFirst(CommsClaims.ApiKeyPrefix)?.Value})";

    /// <summary>The external id of the authenticated end user.</summary>
    public static string ExternalId(this ClaimsPrincipal user) =>
        user.FindFirst(CommsClaims.Subject)?.Value ?? throw new InvalidOperationException("The caller has no subject claim.");
}
