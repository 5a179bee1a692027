using Comms.Core.Audit;
using Comms.Core.Operators;
using Comms.Core.Tenancy;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Comms.Web.Pages.Admin.Operators;

/// <summary>
/// One operator's roles (<c>/admin/operators/{id}</c>, SysOperator only): grant a role (SysOperator without a tenant,
/// CommsEditor/Approver/Viewer for an existing tenant; messages beside the fields) or revoke one, each with fresh-auth,
/// audited <c>sys.operator.role_granted</c> / <c>sys.operator.role_revoked</c>. The operator's security stamp changes,
/// so their sessions and tokens end and the next sign-in carries the new roles. Nobody changes their own roles.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class DetailsModel(
    IDbContextFactory<OperatorsDbContext> contexts, UserManager<Operator> users, TenantService tenants, ConsoleFreshAuth freshAuth, AuditLog audit,
    TimeProvider time) : PageModel
{
    public static readonly IReadOnlyList<string> AllRoles =
        [OperatorRoles.SysOperator, OperatorRoles.CommsEditor, OperatorRoles.CommsApprover, OperatorRoles.CommsViewer];

    [BindProperty(SupportsGet = true)] public Guid Id { get; set; }
    [BindProperty] public string? Role { get; set; }
    [BindProperty] public string? TenantId { get; set; }
    [BindProperty] public Guid? GrantId { get; set; }
    [BindProperty] public string? ConfirmPassword { get; set; }
    [BindProperty] public string? ConfirmTotp { get; set; }

    public Operator Target { get; private set; } = null!;
    public IReadOnlyList<OperatorGrant> Grants { get; private set; } = [];
    public bool IsSelf { get; private set; }
    public Dictionary<string, string> Errors { get; } = [];
    public string? FreshAuthPrompt { get; private set; }

    /// <summary>Which form the fresh-auth prompt belongs to: <c>Grant</c> or <c>Revoke</c>.</summary>
    public string? PendingAction { get; private set; }
    public string? Notice { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken) ?? Page();

    public async Task<IActionResult> OnPostGrantAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } refused)
        {
            return refused;
        }

        if (IsSelf)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        var tenantId = string.IsNullOrWhiteSpace(TenantId) ? null : TenantId.Trim();
        if (Role is null || !AllRoles.Contains(Role))
        {
            Errors["role"] = "Pick one of the roles.";
        }
        else if (Role == OperatorRoles.SysOperator && tenantId is not null)
        {
            Errors["tenant"] = "SysOperator covers every tenant: leave the tenant empty.";
        }
        else if (Role != OperatorRoles.SysOperator && (tenantId is null || await tenants.GetAsync(tenantId, cancellationToken) is null))
        {
            Errors["tenant"] = tenantId is null ? "This role is granted for one tenant: enter its id." : $"There is no tenant '{tenantId}'.";
        }
        else if (Grants.Any(g => g.Role == Role && g.TenantId == tenantId))
        {
            Errors["role"] = "The operator has this role already.";
        }

        if (Errors.Count > 0 || !await FreshAsync("Grant", cancellationToken))
        {
            return Page();
        }

        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            db.Grants.Add(new OperatorGrant { Id = Guid.CreateVersion7(), OperatorId = Target.Id, TenantId = tenantId, Role = Role!, CreatedAt = time.GetUtcNow() });
            await db.SaveChangesAsync(cancellationToken);
        }

        await users.UpdateSecurityStampAsync(Target);
        await audit.AppendAsync(tenantId, ConsoleOperator.From(User).Actor, "sys.operator.role_granted", "operator:" + Target.Id,
            new { via = "console", role = Role, tenantId }, cancellationToken);
        Notice = tenantId is null ? $"{Role} was granted." : $"{Role} of {tenantId} was granted.";
        (Role, TenantId) = (null, null);
        return await LoadAsync(cancellationToken) ?? Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } refused)
        {
            return refused;
        }

        if (IsSelf)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        if (Grants.FirstOrDefault(g => g.Id == GrantId) is not { } grant)
        {
            return NotFound();
        }

        if (!await FreshAsync("Revoke", cancellationToken))
        {
            return Page();
        }

        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            await db.Grants.Where(g => g.Id == grant.Id && g.OperatorId == Target.Id).ExecuteDeleteAsync(cancellationToken);
        }

        await users.UpdateSecurityStampAsync(Target);
        await audit.AppendAsync(grant.TenantId, ConsoleOperator.From(User).Actor, "sys.operator.role_revoked", "operator:" + Target.Id,
            new { via = "console", role = grant.Role, tenantId = grant.TenantId }, cancellationToken);
        Notice = grant.TenantId is null ? $"{grant.Role} was revoked." : $"{grant.Role} of {grant.TenantId} was revoked.";
        return await LoadAsync(cancellationToken) ?? Page();
    }

    public string? Error(string field) => Errors.GetValueOrDefault(field);

    private async Task<bool> FreshAsync(string action, CancellationToken cancellationToken)
    {
        FreshAuthPrompt = await freshAuth.ConfirmAsync(HttpContext, ConfirmPassword, ConfirmTotp, cancellationToken);
        PendingAction = FreshAuthPrompt is null ? null : action;
        return FreshAuthPrompt is null;
    }

    private async Task<IActionResult?> LoadAsync(CancellationToken cancellationToken)
    {
        var op = ConsoleOperator.From(User);
        if (!op.IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var target = await users.FindByIdAsync(Id.ToString());
        if (target is null)
        {
            return NotFound();
        }

        Target = target;
        IsSelf = target.Id == op.Id;
        Grants = await db.Grants.AsNoTracking().Where(g => g.OperatorId == target.Id).OrderBy(g => g.TenantId).ThenBy(g => g.Role).ToListAsync(cancellationToken);
        return null;
    }
}
