using Comms.Web.Admin;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin;

/// <summary>
/// Ends this browser's console session: a POST with the antiforgery token, which is bound to the operator who is signed in
/// (so the page authenticates with the console's cookie). "Sign out everywhere" is in the API.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => LocalRedirect(OperatorConsoleAuth.SignInPath);

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(OperatorConsoleAuth.Scheme);
        return LocalRedirect(OperatorConsoleAuth.SignInPath);
    }
}
