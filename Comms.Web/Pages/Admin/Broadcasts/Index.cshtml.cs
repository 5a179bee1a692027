using Comms.Core.Broadcasts;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin.Broadcasts;

/// <summary>
/// Broadcasts (<c>/admin/broadcasts</c>): newest first, 20 a page, filtered by status, with each one's progress (sent of
/// queued, over its channels). SysOperators only: a broadcast speaks for the platform.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class IndexModel(BroadcastService broadcasts) : PageModel
{
    public const int PageSize = 20;
    public static readonly string[] Statuses = [BroadcastStatus.Draft, BroadcastStatus.Sending, BroadcastStatus.Paused, BroadcastStatus.Sent, BroadcastStatus.Cancelled];

    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public Guid? After { get; set; }

    public IReadOnlyList<BroadcastView> Items { get; private set; } = [];
    public string? NextCursor { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!ConsoleOperator.From(User).IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        var status = Statuses.Contains(Status) ? Status : null;
        var page = await broadcasts.ListAsync(After, status, PageSize, cancellationToken);
        // The list carries no progress: read it for those that have any (at most a page of them).
        var items = new List<BroadcastView>(page.Items.Count);
        foreach (var item in page.Items)
        {
            items.Add(item.Status == BroadcastStatus.Draft ? item : await broadcasts.GetAsync(item.Id, cancellationToken) ?? item);
        }

        (Items, NextCursor) = (items, page.NextCursor);
        return Page();
    }

    /// <summary>"sent / queued" over every channel, or a dash for a draft.</summary>
    public static string Progress(BroadcastView view) => view.Progress is not { Count: > 0 } progress ? "—"
        : $"{progress.Values.Sum(p => p.Sent)} sent of {progress.Values.Sum(p => p.Queued + p.Sent + p.Failed + p.Suppressed + p.Cancelled)}"
          + (progress.Values.Sum(p => p.Failed) is var failed and > 0 ? $", {failed} failed" : "");
}
