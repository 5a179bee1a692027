using Comms.Core.Preferences;
using Comms.Core.Recipients;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Comms.Api.Me;

/// <summary>Turns preference center outcomes into HTTP answers, shared by <c>/me</c> and <c>/v1/recipients/{externalId}</c>.</summary>
public static class PreferencesResults
{
    public const string LockedType = "COMMS_PREF_LOCKED";

    public static Results<Ok<PreferenceMatrix>, ProblemHttpResult> ForGet(PreferenceMatrix? matrix, string externalId) =>
        matrix is null ? NotFound(externalId) : TypedResults.Ok(matrix);

    public static Results<Ok<PreferenceMatrix>, ValidationProblem, ProblemHttpResult> ForPut(PreferenceResult result, string externalId) => result switch
    {
        PreferenceResult.Saved saved => TypedResults.Ok(saved.Matrix),
        PreferenceResult.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors,
            title: "The preferences are invalid; nothing was stored.", type: "COMMS_VALIDATION"),
        PreferenceResult.Locked locked => Locked(locked.Rows),
        _ => NotFound(externalId),
    };

    private static ProblemHttpResult Locked(IReadOnlyList<LockedPreference> rows) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            type: LockedType,
            title: "A critical category cannot be turned off.",
            detail: $"{string.Join("; ", rows.Select(r => $"'{r.Category}' on {r.Channel}"))} "
                + $"{(rows.Count == 1 ? "is" : "are")} locked: critical notices always reach you. Nothing was stored.",
            extensions: new Dictionary<string, object?>
            {
                ["field"] = rows[0].Field,
                ["locked"] = rows.Select(r => new { field = r.Field, category = r.Category, channel = r.Channel }).ToList(),
            });

    private static ProblemHttpResult NotFound(string externalId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, type: "COMMS_RECIPIENT_NOT_FOUND",
            title: "Recipient not found.",
            detail: $"There is no recipient {RecipientFormats.Quote(externalId)} in this tenant yet; the product creates it with PUT /v1/recipients/{{externalId}}.");
}
