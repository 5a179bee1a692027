using Comms.Core.Broadcasts;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin.Broadcasts;

/// <summary>
/// A new broadcast (<c>/admin/broadcasts/new</c>): the composer, saved as a draft through the API's
/// <see cref="BroadcastService"/> (validated by its <see cref="BroadcastValidation"/>, Liquid included; audited as the
/// operator). Its <c>AudienceCount</c> handler answers the composer's live count as JSON (also used by a draft's page).
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class NewModel(BroadcastService broadcasts) : PageModel
{
    [BindProperty] public BroadcastForm Form { get; set; } = new() { Channels = [BroadcastChannels.Email] };

    public Dictionary<string, string[]> Errors { get; private set; } = [];

    public IActionResult OnGet() => ConsoleOperator.From(User).IsSysOperator ? Page() : Forbid(OperatorConsoleAuth.Scheme);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var op = ConsoleOperator.From(User);
        if (!op.IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        var request = Form.ToRequest();
        Errors = BroadcastValidation.Validate(request, out var audience);
        if (Errors.Count > 0)
        {
            return Page();
        }

        switch (await broadcasts.CreateAsync(request, audience!, op.Actor, cancellationToken))
        {
            case BroadcastOutcome.Done done:
                return RedirectToPage("Details", new { id = done.View.Id, done = "saved" });
            case BroadcastOutcome.Invalid invalid:
                Errors = invalid.Errors;
                return Page();
            default:
                throw new InvalidOperationException("Unexpected outcome of a create.");
        }
    }

    /// <summary>The live count: <c>{ recipients, tenants }</c>, or <c>{ error }</c> naming what is wrong with the audience.</summary>
    public async Task<IActionResult> OnGetAudienceCountAsync(string? kind, string? tenants, string? roles, CancellationToken cancellationToken)
    {
        if (!ConsoleOperator.From(User).IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var audience = BroadcastAudience.TryParse(BroadcastForm.Audience(kind, tenants, roles), errors);
        Response.Headers.CacheControl = "no-store";
        return audience is null
            ? new JsonResult(new { error = string.Join(" ", errors.SelectMany(e => e.Value)) })
            : new JsonResult(await broadcasts.CountAsync(audience, cancellationToken));
    }
}
