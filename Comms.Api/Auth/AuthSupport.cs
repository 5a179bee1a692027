using Microsoft.AspNetCore.Authentication;
using Microsoft.Net.Http.Headers;

namespace Comms.Api.Auth;

public static class CommsClaims
{
    public const string Tenant = "tid";
    public const string Subject = "sub";
    public const string ApiKeyId = "key_id";
    public const string ApiKeyPrefix = "key_prefix";
}

internal static class BearerToken
{
    public static string? From(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.Authorization].ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7
            ? header[7..].Trim()
            : null;
    }
}

/// <summary>An authentication refused because the caller's address spent its failure budget: the challenge answers 429.</summary>
internal static class AuthThrottling
{
    private const string Item = "comms.auth-throttled";

    public static AuthenticateResult Refuse(HttpContext context, TimeSpan retryAfter)
    {
        context.Items[Item] = retryAfter;
        return AuthenticateResult.Fail("Too many failed authentications from this address.");
    }

    public static TimeSpan? RetryAfter(HttpContext context) => context.Items.TryGetValue(Item, out var value) ? value as TimeSpan? : null;
}

internal static class AuthProblems
{
    public static async Task WriteAsync(IProblemDetailsService problems, HttpContext context, int status, string type, string title, string detail)
    {
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Type = type, Title = title, Detail = detail },
        });
    }
}
