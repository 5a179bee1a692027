using Comms.Core.Preferences;
using Comms.Web.Session;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Preferences;

/// <summary>
/// The end user's preference center (SPEC S5): category × channel opt-ins (critical rows locked), quiet hours with
/// their time zone, and direct messages muted per channel. A plain form (antiforgery-checked), saved through the same
/// <see cref="PreferenceService"/> as <c>PUT /me/notifications/preferences</c>, so the rules and refusals are the API's.
/// </summary>
[Authorize(Policy = EndUserAuth.PagesPolicy)]
public sealed class IndexModel(PreferenceService preferences) : PageModel
{
    public PreferenceMatrix Matrix { get; private set; } = null!;

    /// <summary>The signed-in user has no recipient in the tenant yet (the product has not registered them).</summary>
    public bool Missing { get; private set; }

    public string ExternalId { get; private set; } = "";

    /// <summary>What the form shows: the stored settings, or what was posted when it could not be saved.</summary>
    [BindProperty]
    public PreferencesForm Form { get; set; } = new();

    public bool Saved { get; private set; }

    /// <summary>Why the form was not saved (with the API's problem type), or null.</summary>
    public (string Title, string Detail, string Type)? Problem { get; private set; }

    public Dictionary<string, string[]> Errors { get; private set; } = [];

    public IReadOnlyList<string> TimeZoneIds => PreferenceLabels.TimeZoneIds(Form.TimeZone);

    public async Task<IActionResult> OnGetAsync(bool saved, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFoundPage();
        }

        Saved = saved;
        Form = PreferencesForm.From(Matrix);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFoundPage();
        }

        var (tenant, user) = User.CurrentUser();
        var result = await preferences.UpdateAsync(tenant, user, Form.ToUpdate(Matrix), cancellationToken);
        switch (result)
        {
            case PreferenceResult.Saved:
                // Post/Redirect/Get: a reload shows what is stored and never posts again.
                return RedirectToPage(new { saved = true });
            case PreferenceResult.Invalid invalid:
                Errors = invalid.Errors;
                Problem = ("Your preferences were not saved.", "Please correct the fields marked below.", "COMMS_VALIDATION");
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Page();
            case PreferenceResult.Locked locked:
                Problem = ("A critical category cannot be turned off.",
                    $"{string.Join("; ", locked.Rows.Select(r => $"{PreferenceLabels.Category(r.Category)} by {PreferenceLabels.Channel(r.Channel)}"))} "
                    + "always reaches you: critical notices cannot be turned off. Nothing was saved.",
                    "COMMS_PREF_LOCKED");
                Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
                return Page();
            default:
                return NotFoundPage();
        }
    }

    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        var (tenant, user) = User.CurrentUser();
        ExternalId = user;
        var matrix = await preferences.GetAsync(tenant, user, cancellationToken);
        Matrix = matrix!;
        return matrix is not null;
    }

    private PageResult NotFoundPage()
    {
        Missing = true;
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
