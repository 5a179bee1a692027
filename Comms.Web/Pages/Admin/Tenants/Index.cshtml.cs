using Comms.Core.Audit;
using Comms.Core.Data;
using Comms.Core.Tenancy;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Comms.Web.Pages.Admin.Tenants;

/// <summary>What the create form posts.</summary>
public sealed class TenantForm
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? DefaultLocale { get; set; }
    public string? DefaultTimeZone { get; set; }
}

/// <summary>
/// Tenants (<c>/admin/tenants</c>): search and page through them (an operator with tenant grants sees only theirs), and
/// — a SysOperator, with fresh-auth — onboard one: the tenant and its first admin key in one step, the key shown once.
/// Validation is the API's own (<see cref="TenantService.Validate"/>), shown next to the fields.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class IndexModel(IDbContextFactory<CommsDbContext> contexts, TenantService tenants, ConsoleFreshAuth freshAuth, AuditLog audit) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? After { get; set; }
    [BindProperty] public TenantForm Form { get; set; } = new();
    [BindProperty] public string? ConfirmPassword { get; set; }
    [BindProperty] public string? ConfirmTotp { get; set; }

    public ConsoleOperator Operator { get; private set; } = null!;
    public IReadOnlyList<Tenant> Shown { get; private set; } = [];
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public string? FreshAuthPrompt { get; private set; }
    public TenantCreated? Created { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Operator = ConsoleOperator.From(User);
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        Operator = ConsoleOperator.From(User);
        if (!Operator.IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        var request = new TenantRequest(Trim(Form.Id), Trim(Form.Name), Trim(Form.DefaultLocale), Trim(Form.DefaultTimeZone));
        Errors = TenantService.Validate(request, creating: true);
        if (Errors.Count == 0 && (FreshAuthPrompt = await freshAuth.ConfirmAsync(HttpContext, ConfirmPassword, ConfirmTotp, cancellationToken)) is null)
        {
            Created = await tenants.CreateAsync(request, cancellationToken);
            if (Created is null)
            {
                Errors["id"] = [$"A tenant with id '{request.Id}' exists already."];
            }
            else
            {
                await audit.AppendAsync(Created.Tenant.Id, Operator.Actor, "sys.tenant.created", "tenant:" + Created.Tenant.Id,
                    new { via = "console", adminKeyId = Created.AdminKeyId }, cancellationToken);
                Response.Headers.CacheControl = "no-store";
                Form = new TenantForm();
            }
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public string? Error(string field) => Errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Tenants.AsNoTracking();
        if (Operator.Tenants is { } mine)
        {
            query = query.Where(t => mine.Contains(t.Id));
        }

        if (Trim(Q) is { } q)
        {
            var pattern = "%" + q.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
            query = query.Where(t => EF.Functions.ILike(t.Id, pattern) || EF.Functions.ILike(t.Name, pattern));
        }

        if (Trim(After) is { } after)
        {
            query = query.Where(t => string.Compare(t.Id, after) > 0);
        }

        Shown = await query.OrderBy(t => t.Id).Take(PageSize).ToListAsync(cancellationToken);
    }

    private static string? Trim(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim() is { Length: <= 200 } v ? v : value.Trim()[..200];
}
