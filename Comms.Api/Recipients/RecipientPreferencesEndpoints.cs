using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Api.Me;
using Comms.Core.Preferences;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Comms.Api.Recipients;

/// <summary>
/// A recipient's preference center for product backends: <c>/v1/recipients/{externalId}/preferences</c>,
/// the same shape and rules as the user's own <c>/me/notifications/preferences</c>.
/// </summary>
public static class RecipientPreferencesEndpoints
{
    public static RouteGroupBuilder MapRecipientPreferences(this RouteGroupBuilder recipients)
    {
        recipients.MapGet("/{externalId}/preferences", Get)
            .WithSummary("Get a recipient's preference center")
            .WithDescription("Every category × channel (email, push, sms, in_app) with enabled, default and locked, plus quiet hours, time zone and dmMuted (per channel: direct messages from operators muted).")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.RecipientNotFound);
        recipients.MapPut("/{externalId}/preferences", Put)
            .WithSummary("Update a recipient's preferences")
            .WithDescription("A partial update, as PUT /me/notifications/preferences: turning off a locked (critical) row is refused with 422 COMMS_PREF_LOCKED.")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.RecipientNotFound)
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, PreferencesResults.LockedType)
            .RequireAuthorization(AuthExtensions.EditorPolicy);
        return recipients;
    }

    public static async Task<Results<Ok<PreferenceMatrix>, ProblemHttpResult>> Get(
        string externalId, HttpContext http, [FromServices] PreferenceService preferences, CancellationToken cancellationToken) =>
        PreferencesResults.ForGet(await preferences.GetAsync(http.User.TenantId(), externalId, cancellationToken), externalId);

    public static async Task<Results<Ok<PreferenceMatrix>, ValidationProblem, ProblemHttpResult>> Put(
        string externalId, [FromBody] PreferenceUpdate? update, HttpContext http, [FromServices] PreferenceService preferences,
        CancellationToken cancellationToken) =>
        PreferencesResults.ForPut(await preferences.UpdateAsync(http.User.TenantId(), externalId, update, cancellationToken), externalId);
}
