using Comms.Core.Auth;
using Comms.Web.Session;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Session;

/// <summary>
/// Starts an end user's session: the host product POSTs the user's token (form field <c>token</c>, e.g. from a
/// page that auto-submits a form), never in a URL — so it stays out of browser history, proxies and logs. A GET
/// only explains this and never signs anyone in.
/// <para>
/// Login CSRF: the POST needs no antiforgery token (it comes from the host product's pages, another origin;
/// the signed token is its credential). Another site could post its own user's valid token to sign a victim
/// into the attacker's account. What keeps that from being silent: an existing session of another user is
/// never replaced without a confirmation made on this origin (a form with an antiforgery token), and the
/// pages always show who is signed in. A victim without a session gets, at worst, a session as the attacker,
/// which shows the attacker's own notifications and reveals nothing of the victim's.
/// </para>
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class StartModel(UserTokenValidator validator, IAntiforgery antiforgery) : PageModel
{
    public string? PendingToken { get; private set; }
    public string? ReturnUrl { get; private set; }
    public string? SignedInAs { get; private set; }
    public string? NewUser { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync([FromForm] string? token, [FromForm] string? returnUrl, [FromForm] bool confirm,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            HttpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
            await HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = HttpContext,
                ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]>
                {
                    ["token"] = ["Post the user's session token (a JWT signed with one of the tenant's signing keys) as the form field 'token'."],
                })
                { Status = StatusCodes.Status400BadRequest, Type = "COMMS_VALIDATION", Title = "The token is missing." },
            });
            return new EmptyResult();
        }

        var result = await validator.ValidateAsync(token, cancellationToken);
        if (!result.IsValid)
        {
            await EndUserAuth.WriteProblemAsync(HttpContext, StatusCodes.Status401Unauthorized, "COMMS_UNAUTHORIZED", "The token is not valid.", result.Failure);
            return new EmptyResult();
        }

        var current = (await HttpContext.AuthenticateAsync(EndUserAuth.CookieScheme)).Principal is { } principal ? Core.Auth.UserTokens.UserOf(principal) : null;
        if (current is { } signedIn && signedIn != (result.TenantId!, result.ExternalId!)
            && !(confirm && await antiforgery.IsRequestValidAsync(HttpContext)))
        {
            // Another user is signed in in this browser: never switch silently; ask, on this origin. The page holds
            // the token in a hidden field, so it must not be cached.
            Response.Headers.CacheControl = "no-store";
            PendingToken = token;
            ReturnUrl = returnUrl;
            SignedInAs = signedIn.ExternalId;
            NewUser = result.ExternalId;
            return Page();
        }

        await EndUserAuth.SignInAsync(HttpContext, result.TenantId!, result.ExternalId!, result.Kid);
        Response.Headers.Location = IsLocal(returnUrl) ? returnUrl : "/notifications";
        return StatusCode(StatusCodes.Status303SeeOther);
    }

    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl);
}
