using System.Security.Claims;
using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Operators;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Comms.Api.Operators;

public sealed record TotpEnrolment(string SharedKey, string AuthenticatorUri);

public sealed record TotpConfirmRequest(string? Code);

public sealed record TotpConfirmed(bool TwoFactorEnabled);

/// <summary>
/// The signed-in operator's own account (any operator token): enrol an authenticator app (TOTP, RFC 6238) and sign
/// out everywhere. Both bump nothing but what they say: enrolment keeps the current token; enabling two-factor and
/// signing out everywhere change the security stamp, which revokes every token issued before.
/// </summary>
public static class OperatorAccountApi
{
    public static RouteGroupBuilder MapOperatorAccountApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sys/auth").WithTags("Sys: operators").RequireAuthorization(AuthExtensions.OperatorPolicy);
        group.MapPost("/totp", StartTotp).RequireFreshAuth()
            .WithSummary("Start two-factor enrolment: a new authenticator key and its otpauth:// URI")
            .WithDescription("Show the URI as a QR code (or the key for typing) in an authenticator app, then confirm with POST /sys/auth/totp/confirm. Needs a recent sign-in (fresh-auth). Refused while two-factor is enabled.")
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.Conflict);
        group.MapPost("/totp/confirm", ConfirmTotp)
            .WithSummary("Enable two-factor sign-in with the authenticator app's current code")
            .WithDescription("From then on POST /sys/auth/token needs totp. Enabling it signs the operator out everywhere (tokens issued before stop working): sign in again with a code.")
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.Conflict);
        group.MapPost("/sign-out-everywhere", SignOutEverywhere)
            .WithSummary("Revoke every token of the signed-in operator (this one included)");
        return group;
    }

    public static async Task<Results<Ok<TotpEnrolment>, ProblemHttpResult>> StartTotp(
        ClaimsPrincipal principal, UserManager<Operator> users, IUserStore<Operator> store, CancellationToken cancellationToken)
    {
        if (await users.FindByIdAsync(OperatorId(principal)) is not { } user)
        {
            return Gone();
        }

        if (user.TwoFactorEnabled)
        {
            return TypedResults.Problem(statusCode: 409, type: ProblemTypes.Conflict, title: "Two-factor sign-in is enabled already.",
                detail: "The operator already signs in with an authenticator app.");
        }

        // Through the store rather than ResetAuthenticatorKeyAsync, which would also change the security stamp (and so
        // revoke the token the operator is enrolling with): nothing is enabled until the code is confirmed.
        await ((IUserAuthenticatorKeyStore<Operator>)store).SetAuthenticatorKeyAsync(user, users.GenerateNewAuthenticatorKey(), cancellationToken);
        await users.UpdateAsync(user);
        var key = await users.GetAuthenticatorKeyAsync(user) ?? "";
        var uri = $"otpauth://totp/{Uri.EscapeDataString("Comms")}:{Uri.EscapeDataString(user.Email ?? "")}?secret={key}&issuer={Uri.EscapeDataString("Comms")}&digits=6";
        return TypedResults.Ok(new TotpEnrolment(key, uri));
    }

    public static async Task<Results<Ok<TotpConfirmed>, ValidationProblem, ProblemHttpResult>> ConfirmTotp(
        TotpConfirmRequest? request, ClaimsPrincipal principal, UserManager<Operator> users, OperatorStamps stamps, CancellationToken cancellationToken)
    {
        var code = request?.Code?.Replace(" ", "", StringComparison.Ordinal);
        if (string.IsNullOrEmpty(code) || code.Length != 6 || !code.All(char.IsAsciiDigit))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["code"] = ["code is the authenticator app's 6-digit code."] },
                title: "The code is invalid.", type: ProblemTypes.Validation);
        }

        if (await users.FindByIdAsync(OperatorId(principal)) is not { } user)
        {
            return Gone();
        }

        if (user.TwoFactorEnabled || string.IsNullOrEmpty(await users.GetAuthenticatorKeyAsync(user)))
        {
            return TypedResults.Problem(statusCode: 409, type: ProblemTypes.Conflict, title: "Nothing to confirm.",
                detail: user.TwoFactorEnabled ? "Two-factor sign-in is enabled already." : "Start the enrolment first: POST /sys/auth/totp.");
        }

        if (!await users.VerifyTwoFactorTokenAsync(user, TokenOptions.DefaultAuthenticatorProvider, code))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["code"] = ["The code does not match: enter the code the authenticator app shows now."] },
                title: "The code is invalid.", type: ProblemTypes.Validation);
        }

        await users.SetTwoFactorEnabledAsync(user, true);
        stamps.Forget(user.Id);
        return TypedResults.Ok(new TotpConfirmed(true));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> SignOutEverywhere(
        ClaimsPrincipal principal, UserManager<Operator> users, OperatorStamps stamps, CancellationToken cancellationToken)
    {
        if (await users.FindByIdAsync(OperatorId(principal)) is not { } user)
        {
            return Gone();
        }

        await users.UpdateSecurityStampAsync(user);
        stamps.Forget(user.Id);
        return TypedResults.NoContent();
    }

    private static string OperatorId(ClaimsPrincipal principal) =>
        principal.FindFirst(JwtRegisteredClaimNames.Sub)?.Value ?? throw new InvalidOperationException("The caller is not an operator.");

    // The token was checked against the operator's stamp a moment ago: only a deletion in between gets here.
    private static ProblemHttpResult Gone() =>
        TypedResults.Problem(statusCode: 409, type: ProblemTypes.Conflict, title: "The operator no longer exists.", detail: "The operator was removed.");
}
