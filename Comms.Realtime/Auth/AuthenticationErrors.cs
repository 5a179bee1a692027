using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Authentication;

namespace Comms.Realtime.Auth;

/// <summary>
/// ASP.NET Core turns an exception thrown while authenticating into a failed result, which would answer 401 —
/// wrong (and leaky) when the credentials were never judged because the database was away. A handler's challenge
/// calls <see cref="ThrowIfBroken"/> first, so such a failure reaches the exception handler instead (503
/// <c>COMMS_UNAVAILABLE</c> for an outage, 500 otherwise) and only refused credentials answer 401.
/// </summary>
public static class AuthenticationErrors
{
    public static void ThrowIfBroken(AuthenticateResult result)
    {
        // AuthenticateResult.Fail("reason") carries an AuthenticationFailureException: a refusal, not a breakage.
        if (result.Failure is { } failure and not AuthenticationFailureException)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }
}
