using Comms.Core.Data;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Comms.Web.Pages.Admin.Recipients;

/// <summary>One line of the recipient search.</summary>
public sealed record RecipientLine(string ExternalId, string? Name, string? Email, string? Phone, bool Erased);

/// <summary>
/// Recipient search (<c>/admin/recipients</c>): within one tenant, by external id (prefix), email or phone (exact,
/// email case-insensitive), 50 a page in external id order. A SysOperator may pick any tenant; an operator with tenant
/// grants picks one of theirs (another tenant shows nothing). Erased recipients show as erased with nothing personal.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class IndexModel(IDbContextFactory<CommsDbContext> contexts) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public string? Tenant { get; set; }
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? After { get; set; }

    /// <summary>The tenants the operator may pick from; null = any (a SysOperator types the id).</summary>
    public IReadOnlyList<string>? Choices { get; private set; }
    public IReadOnlyList<RecipientLine> Lines { get; private set; } = [];
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var op = ConsoleOperator.From(User);
        Choices = op.Tenants;
        Tenant = Blank(Tenant) ?? Choices?.FirstOrDefault();
        if (Tenant is null)
        {
            return;
        }

        if (!op.CanSee(Tenant))
        {
            Error = "You have no access to that tenant.";
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tenant = Tenant;
        var query = db.Recipients.AsNoTracking().Where(r => r.TenantId == tenant);
        if (Blank(Q) is { } q)
        {
            var prefix = q.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
            var email = q.ToLowerInvariant();
            query = query.Where(r => EF.Functions.Like(r.ExternalId, prefix) || (r.Email != null && r.Email.ToLower() == email) || r.Phone == q);
        }

        if (Blank(After) is { } after)
        {
            query = query.Where(r => string.Compare(r.ExternalId, after) > 0);
        }

        var rows = await query.OrderBy(r => r.ExternalId).Take(PageSize)
            .Select(r => new { r.ExternalId, r.Name, r.Email, r.Phone, r.ErasedAt }).ToListAsync(cancellationToken);
        Lines = [.. rows.Select(r => r.ErasedAt is null
            ? new RecipientLine(r.ExternalId, r.Name, r.Email, r.Phone, Erased: false)
            : new RecipientLine(r.ExternalId, null, null, null, Erased: true))];
    }

    /// <summary>The next page's query string, or null on the last page.</summary>
    public string? NextPage => Lines.Count < PageSize ? null : QueryString.Create(new Dictionary<string, string?>
    {
        ["tenant"] = Tenant, ["q"] = Q, ["after"] = Lines[^1].ExternalId,
    }.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
