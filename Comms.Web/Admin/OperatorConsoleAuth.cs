using System.Globalization;
using System.Security.Claims;
using Comms.Core.Operators;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Comms.Web.Admin;

/// <summary>
/// Operators sign in to the console (<c>/admin</c>) with the same Identity accounts as <c>POST /sys/auth/token</c>
/// (<see cref="OperatorSignIn"/>: password, lockout, authenticator code) into a cookie of their own — <c>HttpOnly</c>,
/// <c>SameSite=Lax</c>, <c>Secure</c> outside Development, 8 hours sliding — separate from end users' session cookie.
/// The cookie carries the operator's grants, when the password was entered (<c>auth_time</c>, for fresh-auth) and a
/// hash of the security stamp, checked on every request (<see cref="OperatorStamps"/>): "sign out everywhere" or a
/// password change ends console sessions too.
/// </summary>
public static class OperatorConsoleAuth
{
    public const string Scheme = Comms.Realtime.NotificationsHub.OperatorConsoleAuthenticationType;
    public const string Policy = "operator-console";
    public const string SignInPath = "/admin/sign-in";

    public const string OperatorIdClaim = "sub";
    public const string TenantRoleClaim = "tenant_role";
    public const string AuthTimeClaim = "auth_time";
    public const string StampClaim = "sstamp";

    public static IHostApplicationBuilder AddOperatorConsole(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OperatorOptions>().BindConfiguration(OperatorOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddCommsOperators();
        var secure = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        builder.Services.AddAuthentication().AddCookie(Scheme, options =>
        {
            options.Cookie.Name = "comms.ops";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = secure;
            options.Cookie.Path = "/admin";
            options.LoginPath = SignInPath;
            options.AccessDeniedPath = "/admin/denied";
            options.SlidingExpiration = true;
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.Events = new CookieAuthenticationEvents { OnValidatePrincipal = ValidateStampAsync };
        });
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme)
            .RequireAuthenticatedUser().RequireClaim(OperatorIdClaim));
        return builder;
    }

    /// <summary>Signs the operator into the console cookie with the claims <see cref="OperatorSignIn.ClaimsAsync"/> gives.</summary>
    public static Task SignInAsync(HttpContext http, OperatorTokenClaims operatorClaims)
    {
        var claims = new List<Claim>
        {
            new(OperatorIdClaim, operatorClaims.OperatorId.ToString()),
            new(ClaimTypes.Name, string.IsNullOrEmpty(operatorClaims.DisplayName) ? operatorClaims.Email : operatorClaims.DisplayName),
            new(ClaimTypes.Email, operatorClaims.Email),
            new(AuthTimeClaim, operatorClaims.AuthTime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            new(StampClaim, operatorClaims.StampHash),
        };
        claims.AddRange(operatorClaims.Roles.Select(role => new Claim(ClaimTypes.Role, role)));
        claims.AddRange(operatorClaims.TenantRoles.Select(g => new Claim(TenantRoleClaim, $"{g.TenantId}:{g.Role}")));
        return http.SignInAsync(Scheme, new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, ClaimTypes.Name, ClaimTypes.Role)));
    }

    /// <summary>A session whose operator is gone, or whose security stamp changed since it began, ends now.</summary>
    private static async Task ValidateStampAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var stamps = context.HttpContext.RequestServices.GetRequiredService<OperatorStamps>();
        var valid = Guid.TryParse(principal?.FindFirst(OperatorIdClaim)?.Value, out var id)
                    && principal!.FindFirst(StampClaim)?.Value is { } stamp
                    && await stamps.CurrentAsync(id, context.HttpContext.RequestAborted) == stamp;
        if (!valid)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }
}
