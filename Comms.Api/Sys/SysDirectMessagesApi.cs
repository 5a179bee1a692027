using System.Globalization;
using System.Security.Claims;
using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.DirectMessages;
using Comms.Core.Operators;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Comms.Api.Sys;

/// <summary>
/// An operator writes to one user (issue 12): <c>POST /sys/users/{id}/messages</c>, where <c>{id}</c> is the recipient's
/// <c>id</c>. Operator token only (the platform key has no person to test-send to), with a recent sign-in; a test send to
/// the operator first, then the real send of the same text within 30 minutes; at most 5 per operator per user per day.
/// </summary>
public static class SysDirectMessagesApi
{
    public static RouteGroupBuilder MapSysDirectMessagesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sys/users").WithTags("Sys: direct messages").RequireAuthorization(AuthExtensions.SysPolicy);
        group.MapPost("/{id:guid}/messages", Send)
            .WithSummary("Send a direct message to a user (test send first)")
            .WithDescription("Give channels (email, in_app, push, sms), subject, body, reason (at least 10 characters, kept in the audit log) and testSend. "
                + "testSend true sends the message to you (your email; in_app to your own recipient row in the user's tenant). "
                + "The real send (testSend false) is refused with 412 unless you test-sent the same subject and body within the last 30 minutes; "
                + "at most 5 real sends per operator per user per 24 hours (then 429 with Retry-After). Channels the user muted for direct messages "
                + "(dmMuted) are skipped and reported as suppressed in the receipt. Needs an operator token with a recent sign-in (fresh-auth).")
            .ProducesProblems(StatusCodes.Status403Forbidden, ProblemTypes.Forbidden)
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.RecipientNotFound)
            .ProducesProblems(StatusCodes.Status412PreconditionFailed, ProblemTypes.SysDirectMessageTestSendRequired)
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, ProblemTypes.Validation, ProblemTypes.UnknownEvent, ProblemTypes.UnknownCategory,
                ProblemTypes.PayloadInvalid)
            .RequireFreshAuth();
        return group;
    }

    public static async Task<Results<Accepted<DirectMessageReceipt>, ProblemHttpResult>> Send(
        Guid id, DirectMessageRequest? request, HttpContext http, DirectMessageService messages, CancellationToken cancellationToken)
    {
        if (Operator(http.User) is not { } sender)
        {
            return TypedResults.Problem(statusCode: 403, type: ProblemTypes.Forbidden, title: "An operator token is required.",
                detail: "Direct messages are sent by a person: use an operator token from POST /sys/auth/token, not the platform key.");
        }

        var errors = DirectMessageValidator.Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(errors)
            {
                Status = StatusCodes.Status422UnprocessableEntity, Type = ProblemTypes.Validation, Title = "The direct message is invalid.",
            });
        }

        return await messages.SendAsync(sender, id, request!, cancellationToken) switch
        {
            DirectMessageOutcome.Done done => TypedResults.Accepted((string?)null, done.Receipt),
            DirectMessageOutcome.RecipientNotFound => TypedResults.Problem(statusCode: 404, type: ProblemTypes.RecipientNotFound,
                title: "Recipient not found.", detail: $"No recipient with id '{id}' exists."),
            DirectMessageOutcome.TestSendRequired => TypedResults.Problem(statusCode: 412, type: ProblemTypes.SysDirectMessageTestSendRequired,
                title: "Send a test first.",
                detail: "Send this subject and body to yourself first (testSend: true); the real send is allowed for 30 minutes after that."),
            DirectMessageOutcome.LimitReached limit => LimitReached(http, limit.RetryAfter),
            DirectMessageOutcome.Failed failed => TypedResults.Problem(statusCode: 422, type: failed.Code, title: "The message could not be sent.",
                detail: failed.Detail),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
    }

    private static ProblemHttpResult LimitReached(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: 429, type: ProblemTypes.RateLimited, title: "Too many direct messages.",
            detail: $"At most {DirectMessageService.MaxPerDay} direct messages per operator per user in 24 hours; retry after {seconds} s.",
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds });
    }

    /// <summary>The operator of an operator token (null for the platform key).</summary>
    internal static DirectMessageOperator? Operator(ClaimsPrincipal user) =>
        user.Identity?.AuthenticationType == OperatorTokenAuthenticationHandler.SchemeName
        && Guid.TryParse(user.FindFirst(JwtRegisteredClaimNames.Sub)?.Value, out var id)
        && user.FindFirst(OperatorTokens.EmailClaim)?.Value is { Length: > 0 } email
            ? new DirectMessageOperator(id, email, user.FindFirst(OperatorTokens.NameClaim)?.Value)
            : null;
}
