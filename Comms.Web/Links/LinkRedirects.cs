using System.Net;
using Comms.Core.Data;
using Comms.Core.Links;
using Comms.Core.Unsubscribe;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Comms.Web.Links;

/// <summary>
/// <c>/r/{token}</c>, where tracked links lead (SPEC S11): a token we signed records one click on its link and answers
/// <c>302</c> to the exact target it carries; anything else — cut off, forged, or with its target altered — gets a plain
/// page with a 4xx status and never a <c>Location</c>, so this can never be used as an open redirect. A browser that
/// asks not to be tracked (<c>DNT: 1</c> or <c>Sec-GPC: 1</c>) is redirected without recording; so is <c>HEAD</c>
/// (link scanners). The click row holds the message, link index and time only: no address, no user agent.
/// </summary>
public static partial class LinkRedirects
{
    public static IEndpointConventionBuilder MapLinkRedirects(this IEndpointRouteBuilder app) =>
        app.MapMethods(LinkTracking.PathPrefix + "{token}", [HttpMethods.Get, HttpMethods.Head], Follow)
            .AllowAnonymous()
            .ExcludeFromDescription();

    public static async Task<IResult> Follow(
        string token, HttpContext http, IOptions<UnsubscribeOptions> keys, IDbContextFactory<CommsDbContext> contexts, TimeProvider time,
        ILogger<LinkClick> logger, CancellationToken cancellationToken)
    {
        http.Response.Headers.CacheControl = "no-store";
        var check = LinkToken.Check(token, LinkKeys.Verification(keys.Value));
        if (check is not { State: LinkTokenState.Valid, Claims: { } claims })
        {
            LogRefused(logger, check.State);
            return check.State == LinkTokenState.Forged
                ? Refused(StatusCodes.Status404NotFound, "This link is not valid", "The link was changed or is not one of ours, so it leads nowhere.")
                : Refused(StatusCodes.Status400BadRequest, "This link is incomplete", "The link is broken, perhaps cut off when it was copied. Open it from the original message.");
        }

        if (HttpMethods.IsGet(http.Request.Method) && !AsksNotToBeTracked(http.Request))
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            if (!await LinkClicks.RecordAsync(db, claims, time.GetUtcNow(), cancellationToken))
            {
                LogMessageGone(logger, claims.TenantId);
            }
        }

        return TypedResults.Redirect(claims.Target);
    }

    /// <summary><c>DNT: 1</c> (Do Not Track) or <c>Sec-GPC: 1</c> (Global Privacy Control).</summary>
    public static bool AsksNotToBeTracked(HttpRequest request) =>
        request.Headers["DNT"].ToString().Trim() == "1" || request.Headers["Sec-GPC"].ToString().Trim() == "1";

    private static IResult Refused(int status, string title, string detail) => TypedResults.Content(
        $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{WebUtility.HtmlEncode(title)}</title></head>
        <body><h1>{WebUtility.HtmlEncode(title)}</h1><p>{WebUtility.HtmlEncode(detail)}</p></body></html>
        """, "text/html; charset=utf-8", statusCode: status);

    [LoggerMessage(1, LogLevel.Information, "A tracked link was refused: {State}")]
    private static partial void LogRefused(ILogger logger, LinkTokenState state);

    [LoggerMessage(2, LogLevel.Information, "A tracked link of tenant '{Tenant}' was followed but its message no longer exists; the click was not recorded")]
    private static partial void LogMessageGone(ILogger logger, string tenant);
}
