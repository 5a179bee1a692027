using System.Globalization;
using Comms.Core.Audit;
using Comms.Core.Operators;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin;

/// <summary>
/// The console's sign-in: email and password, then the authenticator code when the operator enrolled one. The same
/// checks as <c>POST /sys/auth/token</c> (lockout after repeated failures); an unknown email reads exactly like a wrong
/// password. Success is audited (<c>sys.operator.signed_in</c>) and returns to the page that asked for it (local only).
/// </summary>
[AllowAnonymous]
public sealed partial class SignInModel(OperatorSignIn signIn, AuditLog audit, TimeProvider time, ILogger<SignInModel> logger) : PageModel
{
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty] public string? Totp { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }
    public bool AskTotp { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(Email) || string.IsNullOrEmpty(Password) || Email.Length > 256 || Password.Length > 1024)
        {
            Error = "Enter your email and password.";
            return Page();
        }

        var result = await signIn.CheckAsync(Email.Trim(), Password, Blank(Totp), cancellationToken);
        switch (result.Status)
        {
            case OperatorSignInStatus.Succeeded:
                var now = time.GetUtcNow();
                await OperatorConsoleAuth.SignInAsync(HttpContext, await signIn.ClaimsAsync(result.Operator!, now, cancellationToken));
                await audit.AppendAsync(null, "operator:" + result.Operator!.Id, "sys.operator.signed_in", "operator:" + result.Operator.Id,
                    new { via = "console" }, cancellationToken);
                LogSignedIn(logger, result.Operator.Id);
                return LocalRedirect(Url.IsLocalUrl(ReturnUrl) && ReturnUrl!.StartsWith("/admin", StringComparison.Ordinal) ? ReturnUrl : "/admin");
            case OperatorSignInStatus.TotpRequired:
                AskTotp = true;
                Error = "Enter the code your authenticator app shows.";
                return Page();
            case OperatorSignInStatus.TotpInvalid:
                AskTotp = true;
                Error = "That code is not valid: enter the code your authenticator app shows now.";
                return Page();
            case OperatorSignInStatus.LockedOut:
                var until = (result.LockedUntil ?? time.GetUtcNow()).UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
                Error = result.LockedUntil == DateTimeOffset.MaxValue
                    ? "This account is locked by a platform operator: ask one to unlock it."
                    : $"Too many failed sign-ins: try again after {until}.";
                return Page();
            default:
                Error = "The email or password is wrong.";
                return Page();
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [LoggerMessage(1, LogLevel.Information, "Operator {OperatorId} signed in to the console.")]
    private static partial void LogSignedIn(ILogger logger, Guid operatorId);
}
