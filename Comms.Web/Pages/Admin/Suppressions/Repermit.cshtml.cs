using Comms.Core.Preferences;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin.Suppressions;

/// <summary>
/// One suppression (<c>/admin/tenants/{tenant}/suppressions/{channel}/{hash}</c>) and re-permitting its address: only
/// with a documented consent note (required, at least 10 characters, the message beside the field), with fresh-auth,
/// audited <c>suppression.repermitted</c> with the note (never the address). A SysOperator or the tenant's CommsEditor
/// may; viewers and approvers see the form disabled (a POST is 403); another tenant's suppression is 404.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class RepermitModel(SuppressionList suppressions, ConsoleFreshAuth freshAuth) : PageModel
{
    [BindProperty(SupportsGet = true)] public string Tenant { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string Channel { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string Hash { get; set; } = "";
    [BindProperty] public string? Note { get; set; }
    [BindProperty] public string? ConfirmPassword { get; set; }
    [BindProperty] public string? ConfirmTotp { get; set; }

    public Suppression Suppression { get; private set; } = null!;
    public bool CanManage { get; private set; }
    public string? NoteError { get; private set; }
    public string? FreshAuthPrompt { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ?? Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } refused)
        {
            return refused;
        }

        if (!CanManage)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        NoteError = SuppressionList.ValidateNote(Note);
        if (NoteError is not null || (FreshAuthPrompt = await freshAuth.ConfirmAsync(HttpContext, ConfirmPassword, ConfirmTotp, cancellationToken)) is not null)
        {
            return Page();
        }

        await suppressions.RepermitAsync(Tenant, Channel, Hash, Note!, ConsoleOperator.From(User).Actor, cancellationToken);
        return Redirect($"/admin/suppressions?tenant={Uri.EscapeDataString(Tenant)}&repermitted=true");
    }

    private async Task<IActionResult?> LoadAsync(CancellationToken cancellationToken)
    {
        var op = ConsoleOperator.From(User);
        if (!op.CanSee(Tenant) || await suppressions.GetAsync(Tenant, Channel, Hash, cancellationToken) is not { } suppression)
        {
            return NotFound();
        }

        Suppression = suppression;
        CanManage = op.CanManage(Tenant);
        return null;
    }
}
