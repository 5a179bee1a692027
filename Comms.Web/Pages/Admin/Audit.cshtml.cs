using Comms.Core.Audit;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin;

/// <summary>The append-only audit log (<c>/admin/audit</c>), newest first, filtered by actor, action (or its prefix), target and tenant.</summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class AuditModel(AuditBrowser browser) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Actor { get; set; }
    [BindProperty(SupportsGet = true)] public string? Action { get; set; }
    [BindProperty(SupportsGet = true)] public string? Target { get; set; }
    [BindProperty(SupportsGet = true)] public string? Tenant { get; set; }
    [BindProperty(SupportsGet = true)] public long? Before { get; set; }

    public IReadOnlyList<AuditRecord> Rows { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var filter = new AuditFilter(Clip(Actor), Clip(Action), Clip(Target), Clip(Tenant), Before is > 0 ? Before : null);
        Rows = await browser.PageAsync(filter, ConsoleOperator.From(User).Tenants, cancellationToken);
    }

    /// <summary>The next page's link (the same filters, older rows), or null on the last page.</summary>
    public string? NextPage => Rows.Count < AuditBrowser.PageSize ? null
        : QueryString.Create(new Dictionary<string, string?> { ["actor"] = Actor, ["action"] = Action, ["target"] = Target, ["tenant"] = Tenant, ["before"] = Rows[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }
            .Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();

    private static string? Clip(string? value) => value is { Length: > 200 } ? value[..200] : value;
}
