using Comms.Core.Audit;
using Comms.Core.Operators;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Comms.Web.Pages.Admin.Operators;

/// <summary>One operator in the list: who, their roles, whether they are locked out and use two-factor.</summary>
public sealed record OperatorLine(Guid Id, string Email, string Name, IReadOnlyList<string> Roles, DateTimeOffset? LockedUntil, bool TwoFactor);

/// <summary>
/// Operators (<c>/admin/operators</c>, SysOperator only — anyone else gets 403): searched by email or name, 50 a page
/// in email order, with their roles; lock one (Identity's lockout, until unlocked; their sessions and tokens end with
/// the new security stamp) or unlock one (also clears the failed-attempt count), each with fresh-auth, audited
/// <c>sys.operator.locked</c> / <c>sys.operator.unlocked</c>. An operator cannot lock themselves.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class IndexModel(
    IDbContextFactory<OperatorsDbContext> contexts, UserManager<Operator> users, ConsoleFreshAuth freshAuth, AuditLog audit, TimeProvider time) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? After { get; set; }
    [BindProperty] public Guid? OperatorId { get; set; }
    [BindProperty] public string? ConfirmPassword { get; set; }
    [BindProperty] public string? ConfirmTotp { get; set; }

    public IReadOnlyList<OperatorLine> Lines { get; private set; } = [];
    public string? FreshAuthPrompt { get; private set; }

    /// <summary>The action waiting for fresh-auth: <c>Lock</c> or <c>Unlock</c>, of <see cref="Pending"/>.</summary>
    public string? PendingAction { get; private set; }
    public OperatorLine? Pending { get; private set; }
    public string? Notice { get; private set; }
    public Guid Me { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!ConsoleOperator.From(User).IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public Task<IActionResult> OnPostLockAsync(CancellationToken cancellationToken) => ChangeAsync(locking: true, cancellationToken);

    public Task<IActionResult> OnPostUnlockAsync(CancellationToken cancellationToken) => ChangeAsync(locking: false, cancellationToken);

    public bool IsLocked(OperatorLine line) => line.LockedUntil is { } until && until > time.GetUtcNow();

    private async Task<IActionResult> ChangeAsync(bool locking, CancellationToken cancellationToken)
    {
        var op = ConsoleOperator.From(User);
        if (!op.IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        var target = OperatorId is { } id ? await users.FindByIdAsync(id.ToString()) : null;
        if (target is null)
        {
            return NotFound();
        }

        if (locking && target.Id == op.Id)
        {
            Notice = "You cannot lock yourself out.";
        }
        else if ((FreshAuthPrompt = await freshAuth.ConfirmAsync(HttpContext, ConfirmPassword, ConfirmTotp, cancellationToken)) is not null)
        {
            PendingAction = locking ? "Lock" : "Unlock";
        }
        else if (locking)
        {
            await users.SetLockoutEnabledAsync(target, true);
            await users.SetLockoutEndDateAsync(target, DateTimeOffset.MaxValue);
            await users.UpdateSecurityStampAsync(target);
            await audit.AppendAsync(null, op.Actor, "sys.operator.locked", "operator:" + target.Id, new { via = "console" }, cancellationToken);
            Notice = $"{target.Email} is locked: they cannot sign in, and their sessions and tokens end.";
        }
        else
        {
            await users.SetLockoutEndDateAsync(target, null);
            await users.ResetAccessFailedCountAsync(target);
            await audit.AppendAsync(null, op.Actor, "sys.operator.unlocked", "operator:" + target.Id, new { via = "console" }, cancellationToken);
            Notice = $"{target.Email} is unlocked and may sign in again.";
        }

        await LoadAsync(cancellationToken);
        Pending = PendingAction is null ? null : Lines.FirstOrDefault(l => l.Id == target.Id)
            ?? new OperatorLine(target.Id, target.Email ?? "", target.DisplayName, [], target.LockoutEnd, target.TwoFactorEnabled);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Me = ConsoleOperator.From(User).Id;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(Q))
        {
            var q = Q.Trim().ToLowerInvariant();
            query = query.Where(o => o.NormalizedEmail!.ToLower().Contains(q) || o.DisplayName.ToLower().Contains(q));
        }

        if (!string.IsNullOrWhiteSpace(After))
        {
            var after = After.ToUpperInvariant();
            query = query.Where(o => string.Compare(o.NormalizedEmail, after) > 0);
        }

        var rows = await query.OrderBy(o => o.NormalizedEmail).Take(PageSize)
            .Select(o => new { o.Id, o.Email, o.DisplayName, o.LockoutEnd, o.TwoFactorEnabled }).ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.Id).ToList();
        var grants = await db.Grants.AsNoTracking().Where(g => ids.Contains(g.OperatorId)).ToListAsync(cancellationToken);
        Lines = [.. rows.Select(r => new OperatorLine(r.Id, r.Email ?? "", r.DisplayName,
            [.. grants.Where(g => g.OperatorId == r.Id).OrderBy(g => g.TenantId).ThenBy(g => g.Role)
                .Select(g => g.TenantId is null ? g.Role : $"{g.Role} of {g.TenantId}")],
            r.LockoutEnd, r.TwoFactorEnabled))];
    }

    /// <summary>The next page's query string, or null on the last page.</summary>
    public string? NextPage => Lines.Count < PageSize ? null : QueryString.Create(new Dictionary<string, string?>
    {
        ["q"] = Q, ["after"] = Lines[^1].Email,
    }.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();
}
