using System.Security.Claims;
using Comms.Core.Auth;
using Comms.Realtime;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Comms.Web.Session;

/// <summary>
/// End users reach the Web with a session token from the host product (HS256 JWT, <c>sub</c> +
/// <c>tid</c>): <c>/session/start?token=…</c> turns it into a cookie for the pages; the SignalR hub
/// takes the token itself (<c>access_token</c>), as the embeddable widget will.
/// </summary>
public static class EndUserAuth
{
    public const string CookieScheme = "EndUserCookie";
    public const string TokenScheme = NotificationsHub.UserTokenScheme;
    public const string PagesPolicy = "end-user-pages";

    public static IHostApplicationBuilder AddEndUserAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<UserTokenOptions>().BindConfiguration(UserTokenOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();

        builder.Services.AddAuthentication(CookieScheme)
            .AddCookie(CookieScheme, options =>
            {
                options.Cookie.Name = "comms.user";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.LoginPath = "/session/required";
                options.SlidingExpiration = true;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
            })
            .AddJwtBearer(TokenScheme, options =>
            {
                options.MapInboundClaims = false;
                options.Events = new JwtBearerEvents
                {
                    // Browsers cannot set headers on WebSocket requests, so the hub reads the token from the query.
                    OnMessageReceived = context =>
                    {
                        var token = context.Request.Query["access_token"];
                        if (!string.IsNullOrEmpty(token) && context.HttpContext.Request.Path.StartsWithSegments(NotificationsHub.Path))
                        {
                            context.Token = token;
                        }

                        return Task.CompletedTask;
                    },
                };
            });
        builder.Services.AddOptions<JwtBearerOptions>(TokenScheme)
            .Configure<IOptions<UserTokenOptions>>((jwt, tokens) => jwt.TokenValidationParameters = UserTokens.ValidationParameters(tokens.Value));

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(PagesPolicy, policy => policy.AddAuthenticationSchemes(CookieScheme).RequireAuthenticatedUser()
                .RequireClaim(UserTokens.TenantClaim).RequireClaim(UserTokens.SubjectClaim));
        return builder;
    }

    /// <summary>Signs the user into the pages' cookie.</summary>
    public static Task SignInAsync(HttpContext http, string tenantId, string externalId)
    {
        var identity = new ClaimsIdentity(
            [new Claim(UserTokens.TenantClaim, tenantId), new Claim(UserTokens.SubjectClaim, externalId), new Claim(ClaimTypes.Name, externalId)],
            CookieScheme, ClaimTypes.Name, ClaimTypes.Role);
        return http.SignInAsync(CookieScheme, new ClaimsPrincipal(identity));
    }

    public static (string TenantId, string ExternalId) CurrentUser(this ClaimsPrincipal principal) =>
        UserTokens.UserOf(principal) ?? throw new InvalidOperationException("No end user is signed in.");
}
