using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Preferences;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Comms.Api.Me;

/// <summary>
/// The signed-in user's preference center (SPEC S5): category × channel opt-ins, quiet hours and time
/// zone, and direct messages muted per channel (<c>dmMuted</c>). Reachable as <c>/me/notifications/preferences</c>
/// and as <c>/me/communications</c>; the Web's preference page writes through the same service.
/// </summary>
public static class PreferencesApi
{
    public const string Path = "/me/notifications/preferences";
    public const string AliasPath = "/me/communications";

    /// <summary>Maps both routes; returns the group of <see cref="Path"/>.</summary>
    public static RouteGroupBuilder MapMePreferencesApi(this IEndpointRouteBuilder app)
    {
        var group = MapPreferenceCenter(app, Path);
        MapPreferenceCenter(app, AliasPath);
        return group;
    }

    private static RouteGroupBuilder MapPreferenceCenter(IEndpointRouteBuilder app, string path)
    {
        var group = app.MapGroup(path).WithTags("Me: preferences").RequireAuthorization(AuthExtensions.EndUserPolicy);
        var alias = path == AliasPath ? $" (alias of {Path})" : "";

        group.MapGet("/", Get)
            .WithSummary($"Get the signed-in user's preference center{alias}")
            .WithDescription("Every category × channel (email, push, sms, in_app) with enabled, default and locked, plus quiet hours, time zone and dmMuted (per channel: direct messages from operators muted).")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.RecipientNotFound);
        group.MapPut("/", Put)
            .WithSummary($"Update the signed-in user's preferences{alias}")
            .WithDescription("A partial update: the preferences listed, and quietHours, timeZone and the dmMuted channels if given. Turning off a locked (critical) row is refused with 422 COMMS_PREF_LOCKED and nothing is stored.")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.RecipientNotFound)
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, PreferencesResults.LockedType);
        return group;
    }

    public static async Task<Results<Ok<PreferenceMatrix>, ProblemHttpResult>> Get(
        HttpContext http, [FromServices] PreferenceService preferences, CancellationToken cancellationToken)
    {
        var externalId = http.User.ExternalId();
        return PreferencesResults.ForGet(await preferences.GetAsync(http.User.TenantId(), externalId, cancellationToken), externalId);
    }

    public static async Task<Results<Ok<PreferenceMatrix>, ValidationProblem, ProblemHttpResult>> Put(
        [FromBody] PreferenceUpdate? update, HttpContext http, [FromServices] PreferenceService preferences,
        CancellationToken cancellationToken)
    {
        var externalId = http.User.ExternalId();
        var result = await preferences.UpdateAsync(http.User.TenantId(), externalId, update, cancellationToken);
        return PreferencesResults.ForPut(result, externalId);
    }
}
