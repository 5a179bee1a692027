using System.Globalization;
using System.Security.Claims;
using Comms.Core.Operators;
using Microsoft.Extensions.Options;

namespace Comms.Web.Admin;

/// <summary>
/// Fresh-auth in the console (SPEC S1): a sensitive action (creating a tenant or a key, …) needs the password entered
/// within the last <see cref="OperatorOptions.FreshAuthWindow"/> (5 minutes). When it is older the page keeps what was
/// typed and asks for the password (and the authenticator code, when enrolled) beside it; the next submit checks it —
/// counting towards the lockout like any sign-in —, renews the session's <c>auth_time</c> and carries out the action.
/// </summary>
public sealed class ConsoleFreshAuth(OperatorSignIn signIn, IOptions<OperatorOptions> options, TimeProvider time)
{
    public TimeSpan Window => options.Value.FreshAuthWindow;

    public bool IsFresh(ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(OperatorConsoleAuth.AuthTimeClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
        && time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds) <= Window;

    /// <summary>
    /// Null when the action may go ahead (fresh, or the password just given is right: the session is renewed);
    /// otherwise what to tell the operator beside the password field.
    /// </summary>
    public async Task<string?> ConfirmAsync(HttpContext http, string? password, string? totp, CancellationToken cancellationToken)
    {
        if (IsFresh(http.User))
        {
            return null;
        }

        var minutes = Window.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture);
        if (string.IsNullOrEmpty(password))
        {
            return $"This action needs your password entered within the last {minutes} minutes: confirm it to continue.";
        }

        var email = http.User.FindFirstValue(ClaimTypes.Email) ?? "";
        var result = await signIn.CheckAsync(email, password, string.IsNullOrWhiteSpace(totp) ? null : totp.Trim(), cancellationToken);
        switch (result.Status)
        {
            case OperatorSignInStatus.Succeeded:
                await OperatorConsoleAuth.SignInAsync(http, await signIn.ClaimsAsync(result.Operator!, time.GetUtcNow(), cancellationToken));
                return null;
            case OperatorSignInStatus.TotpRequired:
                return "Enter your password and the code your authenticator app shows.";
            case OperatorSignInStatus.LockedOut:
                return "Too many wrong passwords or codes: the account is locked for a while.";
            default:
                return "That password (or code) is not right: confirm it again to continue.";
        }
    }
}
