using Comms.Core.Audit;
using Comms.Core.Tenancy;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin.Tenants;

/// <summary>
/// A tenant's API keys (<c>/admin/tenants/{id}/api-keys</c>): the list (revoked ones included), creating one — shown
/// once, with fresh-auth — and revoking one (never the tenant's last admin key). A SysOperator or the tenant's
/// CommsEditor may change them; the tenant's viewers and approvers see the list with the controls disabled (a POST is
/// 403); an operator without a grant in the tenant gets 404, as if it did not exist.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class ApiKeysModel(TenantService tenants, ApiKeyService keys, ConsoleFreshAuth freshAuth, AuditLog audit) : PageModel
{
    [BindProperty(SupportsGet = true)] public string Id { get; set; } = "";
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public List<string> Roles { get; set; } = [];
    [BindProperty] public Guid? KeyId { get; set; }
    [BindProperty] public string? ConfirmPassword { get; set; }
    [BindProperty] public string? ConfirmTotp { get; set; }

    public TenantView Tenant { get; private set; } = null!;
    public bool CanManage { get; private set; }
    public IReadOnlyList<ApiKeyView> Keys { get; private set; } = [];
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public string? FreshAuthPrompt { get; private set; }
    public CreatedApiKey? Created { get; private set; }
    public string? Notice { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ?? Page();

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } refused)
        {
            return refused;
        }

        if (!CanManage)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        var request = new ApiKeyRequest(Name, Roles);
        Errors = ApiKeyService.Validate(request);
        if (Errors.Count == 0 && (FreshAuthPrompt = await freshAuth.ConfirmAsync(HttpContext, ConfirmPassword, ConfirmTotp, cancellationToken)) is null)
        {
            Created = await keys.CreateAsync(Tenant.Id, request, cancellationToken);
            await audit.AppendAsync(Tenant.Id, ConsoleOperator.From(User).Actor, "api_key.created", "api_key:" + Created.Id,
                new { via = "console", Created.Roles }, cancellationToken);
            Response.Headers.CacheControl = "no-store";
            (Name, Roles) = (null, []);
            Keys = await keys.ListAsync(Tenant.Id, cancellationToken);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } refused)
        {
            return refused;
        }

        if (!CanManage)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        var outcome = KeyId is { } id ? await keys.RevokeAsync(Tenant.Id, id, cancellationToken) : ApiKeyRevocation.NotFound;
        Notice = outcome switch
        {
            ApiKeyRevocation.Revoked => "The key was revoked: it stops working within seconds everywhere.",
            ApiKeyRevocation.LastAdminKey => "This is the tenant's last admin key: create another admin key before revoking it.",
            ApiKeyRevocation.AlreadyRevoked => "The key was revoked already.",
            _ => "No such key.",
        };
        if (outcome == ApiKeyRevocation.Revoked)
        {
            await audit.AppendAsync(Tenant.Id, ConsoleOperator.From(User).Actor, "api_key.revoked", "api_key:" + KeyId, new { via = "console" }, cancellationToken);
        }

        Keys = await keys.ListAsync(Tenant.Id, cancellationToken);
        return Page();
    }

    public string? Error(string field) => Errors.Where(e => e.Key == field || e.Key.StartsWith(field + "[", StringComparison.Ordinal))
        .SelectMany(e => e.Value).DefaultIfEmpty().Aggregate((a, b) => a + " " + b);

    /// <summary>Loads the tenant and its keys; a result when the operator may not see the tenant (404).</summary>
    private async Task<IActionResult?> LoadAsync(CancellationToken cancellationToken)
    {
        var op = ConsoleOperator.From(User);
        if (!op.CanSee(Id) || await tenants.GetAsync(Id, cancellationToken) is not { } tenant)
        {
            return NotFound();
        }

        Tenant = tenant;
        CanManage = op.CanManage(Id);
        Keys = await keys.ListAsync(Id, cancellationToken);
        return null;
    }
}
