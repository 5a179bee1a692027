using Comms.Core.Data;
using Comms.Core.Operators;
using Comms.Core.Templates;
using Comms.Core.Tenancy;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Comms.Web.Pages.Admin.Tenants;

/// <summary>
/// A tenant's templates (<c>/admin/tenants/{id}/templates</c>): every name × channel × locale with its latest version and
/// draft state, a form to open a new one in the editor, and the approval queue — drafts of critical templates waiting
/// for a second person, each with a link to its diff against the version published now, approved (published) or
/// rejected (back to draft) with a comment (kept in the audit log) through the API's own
/// <see cref="TemplateService"/>, never by the operator who submitted them. Approving needs a SysOperator or the
/// tenant's CommsApprover, and fresh-auth.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class TemplatesModel(
    IDbContextFactory<CommsDbContext> contexts, TenantService tenants, TemplateService templates, ConsoleFreshAuth freshAuth, Comms.Core.Audit.AuditLog audit)
    : PageModel
{
    [BindProperty(SupportsGet = true)] public string Id { get; set; } = "";
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Channel { get; set; }
    [BindProperty] public string? Locale { get; set; }
    [BindProperty] public string? Comment { get; set; }
    [BindProperty] public string? ConfirmPassword { get; set; }
    [BindProperty] public string? ConfirmTotp { get; set; }

    public TenantView Tenant { get; private set; } = null!;
    public IReadOnlyList<TemplateInfo> Rows { get; private set; } = [];
    public bool CanApprove { get; private set; }
    public string? Notice { get; private set; }
    public string? FreshAuthPrompt { get; private set; }

    /// <summary>One line per name × channel × locale: the newest version published, and the draft's state.</summary>
    public IEnumerable<(string Name, string Channel, string Locale, int? Latest, string? Draft, string? Category)> Lines =>
        Rows.GroupBy(r => (r.Name, r.Channel, r.Locale)).Select(g => (g.Key.Name, g.Key.Channel, g.Key.Locale,
            g.Where(r => r.Version is not null).Max(r => r.Version), g.FirstOrDefault(r => r.Version is null)?.Status, g.Last().Category));

    public IEnumerable<TemplateInfo> Pending => Rows.Where(r => r.Status == TemplateStatus.PendingApproval);

    /// <summary>The newest published version of a pending draft's template (what its diff compares with), or null.</summary>
    public int? LatestOf(TemplateInfo draft) =>
        Rows.Where(r => r.Name == draft.Name && r.Channel == draft.Channel && r.Locale == draft.Locale && r.Version is not null).Max(r => r.Version);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken) ?? Page();

    /// <summary>"Open a template": to the editor of that name × channel × locale (a new one starts empty).</summary>
    public IActionResult OnGetOpen(string? name, string? channel, string? locale) =>
        string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(channel)
            ? LocalRedirect($"/admin/tenants/{Uri.EscapeDataString(Id)}/templates")
            : LocalRedirect($"/admin/tenants/{Uri.EscapeDataString(Id)}/templates/{Uri.EscapeDataString(name.Trim())}/{Uri.EscapeDataString(channel)}/{Uri.EscapeDataString(LocaleChain.Normalize(locale) ?? LocaleChain.Fallback)}");

    public async Task<IActionResult> OnPostApproveAsync(CancellationToken cancellationToken) => await DecideAsync(approve: true, cancellationToken);

    public async Task<IActionResult> OnPostRejectAsync(CancellationToken cancellationToken) => await DecideAsync(approve: false, cancellationToken);

    private async Task<IActionResult> DecideAsync(bool approve, CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } refused)
        {
            return refused;
        }

        if (!CanApprove)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        if ((FreshAuthPrompt = await freshAuth.ConfirmAsync(HttpContext, ConfirmPassword, ConfirmTotp, cancellationToken)) is not null)
        {
            return Page();
        }

        var key = new TemplateKey(Tenant.Id, Name ?? "", Channel ?? "", Locale ?? "");
        var problem = approve
            ? (await templates.ApproveAsync(key, ConsoleOperator.From(User).Actor, cancellationToken)).Problem
            : (await templates.RejectAsync(key, cancellationToken)).Problem;
        if (problem is null)
        {
            // The decision and the approver's comment, for the author and the record.
            await audit.AppendAsync(Tenant.Id, ConsoleOperator.From(User).Actor, approve ? "template.approved" : "template.rejected",
                $"template:{key.Name}/{key.Channel}/{key.Locale}", new { via = "console", comment = string.IsNullOrWhiteSpace(Comment) ? null : Comment.Trim() }, cancellationToken);
        }

        Notice = problem?.Detail ?? (approve ? $"{key.Name} ({key.Channel}, {key.Locale}) was approved and published." : $"{key.Name} ({key.Channel}, {key.Locale}) went back to draft.");
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task<IActionResult?> LoadAsync(CancellationToken cancellationToken)
    {
        var op = ConsoleOperator.From(User);
        if (!op.CanSee(Id) || await tenants.GetAsync(Id, cancellationToken) is not { } tenant)
        {
            return NotFound();
        }

        Tenant = tenant;
        CanApprove = op.IsSysOperator || op.Grants.Any(g => g.TenantId == Id && g.Role == OperatorRoles.CommsApprover);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        Rows = await TemplateQueries.InfosAsync(db, Id, null, cancellationToken);
        return null;
    }
}
