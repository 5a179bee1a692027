using Comms.Core.ReleaseNotes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Changelog;

/// <summary>
/// The public changelog page (<c>/changelog</c>, no sign-in): published, public release notes, newest first, a page at
/// a time (<c>?cursor=</c> the next page's cursor). Only public fields are shown; the public body is Markdown rendered
/// and sanitized (<see cref="Comms.Core.Templates.MarkdownRenderer"/>), the section items are encoded by Razor.
/// </summary>
[AllowAnonymous]
public sealed class IndexModel(ReleaseNoteService notes) : PageModel
{
    public const int PageSize = 20;

    public IReadOnlyList<PublicReleaseNote> Notes { get; private set; } = [];

    public string? Next { get; private set; }

    public async Task OnGetAsync(string? cursor, CancellationToken cancellationToken)
    {
        // An unknown cursor shows the first page rather than an error page.
        var page = await notes.PublicPageAsync(cursor, PageSize, cancellationToken)
            ?? await notes.PublicPageAsync(null, PageSize, cancellationToken);
        Notes = page!.Items;
        Next = page.Next;
    }
}
