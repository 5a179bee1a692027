using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Operators;

public enum OperatorSignInStatus { Succeeded, InvalidCredentials, LockedOut, TotpRequired, TotpInvalid }

/// <summary>The outcome of checking an operator's credentials; <see cref="LockedUntil"/> is set when locked out.</summary>
public sealed record OperatorSignInResult(OperatorSignInStatus Status, Operator? Operator = null, DateTimeOffset? LockedUntil = null);

/// <summary>
/// Checks an operator's email, password and (when enrolled) authenticator code with Identity's
/// <see cref="UserManager{TUser}"/>: a wrong password or code counts towards the lockout, a success resets the count.
/// An unknown email answers exactly like a wrong password (and spends a hash, so timing does not tell them apart).
/// </summary>
public sealed class OperatorSignIn(UserManager<Operator> users, OperatorsDbContext db)
{
    private static readonly PasswordHasher<Operator> DummyHasher = new();
    private static readonly string DummyHash = DummyHasher.HashPassword(new Operator(), "not-a-password-of-anyone");

    public async Task<OperatorSignInResult> CheckAsync(string email, string password, string? totp, CancellationToken cancellationToken)
    {
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            DummyHasher.VerifyHashedPassword(new Operator(), DummyHash, password);
            return new(OperatorSignInStatus.InvalidCredentials);
        }

        if (await users.IsLockedOutAsync(user))
        {
            return new(OperatorSignInStatus.LockedOut, user, user.LockoutEnd);
        }

        if (!await users.CheckPasswordAsync(user, password))
        {
            return await FailedAsync(user, OperatorSignInStatus.InvalidCredentials);
        }

        if (user.TwoFactorEnabled)
        {
            if (string.IsNullOrWhiteSpace(totp))
            {
                // The password was right: not a failure, the caller asks again with the code.
                return new(OperatorSignInStatus.TotpRequired, user);
            }

            if (!await users.VerifyTwoFactorTokenAsync(user, TokenOptions.DefaultAuthenticatorProvider, totp.Replace(" ", "", StringComparison.Ordinal)))
            {
                return await FailedAsync(user, OperatorSignInStatus.TotpInvalid);
            }
        }

        await users.ResetAccessFailedCountAsync(user);
        return new(OperatorSignInStatus.Succeeded, user);
    }

    /// <summary>The claims of a token for this operator, entered with a password at <paramref name="authTime"/>.</summary>
    public async Task<OperatorTokenClaims> ClaimsAsync(Operator user, DateTimeOffset authTime, CancellationToken cancellationToken)
    {
        var grants = await db.Grants.AsNoTracking().Where(g => g.OperatorId == user.Id)
            .OrderBy(g => g.TenantId).ThenBy(g => g.Role).ToListAsync(cancellationToken);
        return new OperatorTokenClaims(user.Id, user.Email ?? "", user.DisplayName,
            grants.Where(g => g.TenantId is null).Select(g => g.Role).ToList(),
            grants.Where(g => g.TenantId is not null).Select(g => (g.TenantId!, g.Role)).ToList(),
            authTime, OperatorTokens.HashStamp(user.SecurityStamp));
    }

    private async Task<OperatorSignInResult> FailedAsync(Operator user, OperatorSignInStatus status)
    {
        await users.AccessFailedAsync(user);
        return await users.IsLockedOutAsync(user)
            ? new(OperatorSignInStatus.LockedOut, user, user.LockoutEnd)
            : new(status, user);
    }
}
