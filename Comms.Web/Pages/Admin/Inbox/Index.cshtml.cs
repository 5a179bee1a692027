using Comms.Core.SupportInbox;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin.Inbox;

/// <summary>
/// The operator inbox (<c>/admin/inbox</c>): threads of the mail that reached the platform's inbound address, newest
/// activity first, 50 a page, filtered open / assigned to me / closed (the API's <see cref="SupportInboxService"/>). New
/// arrivals and changes come live from the hub's <c>inboxChanged</c> (<c>wwwroot/js/admin-inbox.js</c> reloads the list).
/// SysOperators only: the inbox belongs to no tenant.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class IndexModel(SupportInboxService inbox) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }

    public string Filter { get; private set; } = InboxListFilters.Open;
    public Guid Me { get; private set; }
    public InboxThreadPage Threads { get; private set; } = new([], null);
    public string? Error { get; private set; }

    public static readonly (string Value, string Label)[] Filters =
        [(InboxListFilters.Open, "Open"), (InboxListFilters.AssignedToMe, "Assigned to me"), (InboxListFilters.Closed, "Closed")];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var op = ConsoleOperator.From(User);
        if (!op.IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        Me = op.Id;
        Filter = string.IsNullOrEmpty(Status) ? InboxListFilters.Open : Status;
        if (!InboxListFilters.All.Contains(Filter, StringComparer.Ordinal))
        {
            Error = $"Unknown filter '{Filter}': one of {string.Join(", ", InboxListFilters.All)}.";
            Filter = InboxListFilters.Open;
            return Page();
        }

        try
        {
            SupportInboxService.ReadCursor(Cursor);
        }
        catch (FormatException)
        {
            Error = "That page link is not valid any more: start from the first page.";
            return Page();
        }

        Threads = await inbox.ListAsync(Filter, op.Id, PageSize, Cursor, cancellationToken);
        return Page();
    }

    public string NextPage(string cursor) => QueryString.Create(new Dictionary<string, string?> { ["status"] = Filter, ["cursor"] = cursor }).ToUriComponent();
}
