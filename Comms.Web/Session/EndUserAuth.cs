using System.Security.Claims;
using Comms.Core.Auth;
using Comms.Core.Data;
using Microsoft.EntityFrameworkCore;
using Comms.Core.Operators;
using Comms.Realtime;
using Comms.Realtime.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;

namespace Comms.Web.Session;

/// <summary>
/// End users reach the Web with a session token from the host product (a JWT signed with one of the tenant's
/// signing keys): a POST to <c>/session/start</c> turns it into a cookie for the pages. The SignalR hub takes
/// either that cookie (the notification center) or the token itself (<c>access_token</c>, as the embeddable
/// widget will). Tokens are validated by the same shared component as the API's (<see cref="UserTokenValidator"/>).
/// </summary>
public static class EndUserAuth
{
    public const string CookieScheme = "EndUserCookie";
    public const string TokenScheme = UserTokenAuthentication.SchemeName;

    /// <summary>The token when the request carries one, otherwise the cookie.</summary>
    public const string EitherScheme = "EndUser";
    public const string PagesPolicy = "end-user-pages";

    public static IHostApplicationBuilder AddEndUserAuth(this IHostApplicationBuilder builder)
    {
        var secureCookies = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        builder.Services.AddAuthentication(CookieScheme)
            .AddCookie(CookieScheme, options =>
            {
                options.Cookie.Name = "comms.user";
                options.Cookie.HttpOnly = true;
                // Lax, not Strict: a session started by a cross-site POST from the host product ends in a 303 to the
                // notification center, and a Strict cookie would not be sent on that redirect. Lax still keeps the
                // cookie off cross-site POSTs, fetches, frames and WebSockets; every state change also needs an
                // antiforgery token.
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = secureCookies;
                options.LoginPath = "/session/required";
                options.SlidingExpiration = true;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.Events = new CookieAuthenticationEvents
                {
                    OnValidatePrincipal = ValidateSessionAsync,
                    OnRedirectToLogin = context => IsScriptRequest(context.Request)
                        ? WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "COMMS_UNAUTHORIZED", "Authentication is required.",
                            "The session has ended or was never started; start one with POST /session/start.")
                        : Redirect(context),
                    OnRedirectToAccessDenied = context => WriteProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden, "COMMS_FORBIDDEN",
                        "The user may not do this.", null),
                };
            })
            .AddCommsUserTokens(options => options.QueryTokenPath = NotificationsHub.Path)
            .AddScheme<AuthenticationSchemeOptions, OperatorHubAuthenticationHandler>(OperatorHubAuthenticationHandler.SchemeName, null)
            .AddPolicyScheme(EitherScheme, "User token or session cookie", options => options.ForwardDefaultSelector = context =>
                // The console's hub path: the console's cookie only (nothing else is accepted there).
                context.Request.Path.StartsWithSegments(NotificationsHub.ConsolePath) ? NotificationsHub.OperatorConsoleAuthenticationType
                : OperatorHubAuthenticationHandler.IsOperatorToken(OperatorHubAuthenticationHandler.TokenOf(context.Request))
                    ? OperatorHubAuthenticationHandler.SchemeName
                : context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                || (context.Request.Path.StartsWithSegments(NotificationsHub.Path) && context.Request.Query.ContainsKey("access_token"))
                    ? TokenScheme
                    : CookieScheme);

        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "comms.af";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = secureCookies;
        });

        builder.Services.AddAuthorizationBuilder()
            // A page or endpoint that names no policy (and is not AllowAnonymous) is closed.
            .SetFallbackPolicy(ClosedUnlessUnmatched(CookieScheme))
            .AddPolicy(PagesPolicy, policy => policy.AddAuthenticationSchemes(CookieScheme).RequireAuthenticatedUser()
                .RequireClaim(UserTokens.TenantClaim).RequireClaim(UserTokens.SubjectClaim))
            // End users (tenant and subject), or operators with SysOperator (operator inbox pushes).
            .AddPolicy(NotificationsHub.Policy, policy => policy.AddAuthenticationSchemes(EitherScheme).RequireAuthenticatedUser()
                .RequireAssertion(context => (context.User.HasClaim(c => c.Type == UserTokens.TenantClaim) && context.User.HasClaim(c => c.Type == UserTokens.SubjectClaim))
                    || NotificationsHub.IsSysOperatorConnection(context.User)));

        // Operator tokens on the hub are checked like the API checks them (same signing key and security stamps).
        builder.Services.AddOptions<Comms.Core.Operators.OperatorOptions>().BindConfiguration(Comms.Core.Operators.OperatorOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        // Only what checking a token needs (no Identity services: the Web signs no operator in).
        builder.Services.AddPooledDbContextFactory<OperatorsDbContext>((sp, options) =>
            options.UseCommsDatabase(sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), OperatorsDbContext.MigrationsHistoryTable));
        builder.Services.AddSingleton<OperatorTokens>();
        builder.Services.AddSingleton<OperatorStamps>();
        return builder;
    }

    /// <summary>
    /// The fallback policy: any endpoint without authorization metadata is refused (401 to the anonymous, 403
    /// otherwise). A request that matched no endpoint at all passes, so that it ends as the 404 it is.
    /// </summary>
    public static AuthorizationPolicy ClosedUnlessUnmatched(string scheme) => new AuthorizationPolicyBuilder(scheme)
        .RequireAssertion(context => context.Resource is HttpContext http && http.GetEndpoint() is null)
        .Build();

    /// <summary>Signs the user into the pages' cookie; <paramref name="kid"/> is the key that vouched (null: development sign-in).</summary>
    public static Task SignInAsync(HttpContext http, string tenantId, string externalId, string? kid)
    {
        var claims = new List<Claim>
        {
            new(UserTokens.TenantClaim, tenantId), new(UserTokens.SubjectClaim, externalId), new(ClaimTypes.Name, externalId),
        };
        if (kid is not null)
        {
            claims.Add(new Claim(UserTokens.KeyIdClaim, kid));
        }

        return http.SignInAsync(CookieScheme, new ClaimsPrincipal(new ClaimsIdentity(claims, CookieScheme, ClaimTypes.Name, ClaimTypes.Role)));
    }

    public static (string TenantId, string ExternalId) CurrentUser(this ClaimsPrincipal principal) =>
        UserTokens.UserOf(principal) ?? throw new InvalidOperationException("No end user is signed in.");

    /// <summary>
    /// A session lives only as long as the key that started it: revoking the key ends its cookie sessions too
    /// (checked against the cached key set, so no database round trip per request). Development sign-ins carry no
    /// key and are accepted only in Development.
    /// </summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var tenant = principal?.FindFirst(UserTokens.TenantClaim)?.Value;
        var kid = principal?.FindFirst(UserTokens.KeyIdClaim)?.Value;
        var valid = tenant is not null && (kid is null
            ? context.HttpContext.RequestServices.GetRequiredService<IWebHostEnvironment>().IsDevelopment()
            : (await context.HttpContext.RequestServices.GetRequiredService<ISigningKeySource>().GetAsync(tenant, context.HttpContext.RequestAborted))
                .Keys.ContainsKey(kid));
        if (!valid)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieScheme);
        }
    }

    private static bool IsScriptRequest(HttpRequest request) =>
        request.Path.StartsWithSegments("/app") || request.Path.StartsWithSegments(NotificationsHub.Path);

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    internal static async Task WriteProblemAsync(HttpContext http, int status, string type, string title, string? detail)
    {
        http.Response.StatusCode = status;
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = status, Type = type, Title = title, Detail = detail },
        });
    }
}
