using Comms.Core.ReleaseNotes;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin.ReleaseNotes;

/// <summary>Release notes (<c>/admin/release-notes</c>): every note, drafts too, newest first, 50 a page. SysOperators only.</summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class IndexModel(ReleaseNoteService notes) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true, Name = "page")] public int PageNumber { get; set; } = 1;

    public IReadOnlyList<ReleaseNoteView> Items { get; private set; } = [];
    public bool HasMore { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!ConsoleOperator.From(User).IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        PageNumber = Math.Clamp(PageNumber, 1, 10_000);
        var items = await notes.ListAsync(PageNumber, PageSize + 1, cancellationToken);
        (Items, HasMore) = (items.Take(PageSize).ToList(), items.Count > PageSize);
        return Page();
    }
}
