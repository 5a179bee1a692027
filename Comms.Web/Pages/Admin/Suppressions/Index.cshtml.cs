using Comms.Core.Preferences;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin.Suppressions;

/// <summary>
/// A tenant's suppression list (<c>/admin/suppressions</c>): searched by address (hashed on lookup: only hashes are
/// stored), channel, reason and source, newest first, 50 a page. Each row links to its re-permit page. A SysOperator
/// types any tenant; an operator with grants picks one of theirs (another tenant shows nothing).
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class IndexModel(SuppressionList suppressions) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public string? Tenant { get; set; }
    [BindProperty(SupportsGet = true)] public string? Address { get; set; }
    [BindProperty(SupportsGet = true)] public string? Channel { get; set; }
    [BindProperty(SupportsGet = true)] public string? Reason { get; set; }
    [BindProperty(SupportsGet = true)] public string? Source { get; set; }
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;
    [BindProperty(SupportsGet = true)] public bool Repermitted { get; set; }

    public IReadOnlyList<string>? Choices { get; private set; }
    public IReadOnlyList<Suppression> Rows { get; private set; } = [];
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var op = ConsoleOperator.From(User);
        Choices = op.Tenants;
        Tenant = Blank(Tenant) ?? Choices?.FirstOrDefault();
        PageNumber = Math.Max(1, PageNumber);
        if (Tenant is null)
        {
            return;
        }

        if (!op.CanSee(Tenant))
        {
            Error = "You have no access to that tenant.";
            return;
        }

        Rows = await suppressions.SearchAsync(new SuppressionFilter(Tenant, Blank(Address), Blank(Channel), Blank(Reason), Blank(Source)),
            (PageNumber - 1) * PageSize, PageSize, cancellationToken);
    }

    /// <summary>The search form posts, so that an address never shows in a URL (and so in no access log or history).</summary>
    public Task OnPostSearchAsync(CancellationToken cancellationToken) => OnGetAsync(cancellationToken);

    /// <summary>The query string of another page of the same search (the address is kept only in the form, never in links).</summary>
    public string PageLink(int number) => QueryString.Create(new Dictionary<string, string?>
    {
        ["tenant"] = Tenant, ["channel"] = Channel, ["reason"] = Reason, ["source"] = Source, ["p"] = number.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
