using Comms.Core.Audit;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin;

/// <summary>The append-only audit log (<c>/admin/audit</c>), newest first, filtered by actor, action (or its prefix), target and tenant.</summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class AuditModel(AuditQuery audit) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Actor { get; set; }
    [BindProperty(SupportsGet = true)] public string? Action { get; set; }
    [BindProperty(SupportsGet = true)] public string? Target { get; set; }
    [BindProperty(SupportsGet = true)] public string? Tenant { get; set; }
    [BindProperty(SupportsGet = true)] public long? Before { get; set; }

    public const int PageSize = 50;

    public IReadOnlyList<AuditEntryView> Rows { get; private set; } = [];
    public string? NextCursor { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var filter = new AuditFilter(Clip(Actor), Clip(Action), Clip(Target), null, null, Before is > 0 ? Before : null, PageSize,
            Clip(Tenant), ConsoleOperator.From(User).Tenants);
        var page = await audit.ListAsync(filter, cancellationToken);
        (Rows, NextCursor) = (page.Items, page.NextCursor);
    }

    /// <summary>The next page's link (the same filters, older rows), or null on the last page.</summary>
    public string? NextPage => NextCursor is null ? null
        : QueryString.Create(new Dictionary<string, string?> { ["actor"] = Actor, ["action"] = Action, ["target"] = Target, ["tenant"] = Tenant, ["before"] = Rows[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }
            .Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();

    private static string? Clip(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim() is { Length: > 200 } v ? v[..200] : value.Trim();
}
