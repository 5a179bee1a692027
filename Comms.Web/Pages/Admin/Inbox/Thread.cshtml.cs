using System.ComponentModel.DataAnnotations;
using Comms.Core.Queueing;
using Comms.Core.SupportInbox;
using Comms.Realtime;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin.Inbox;

/// <summary>
/// One inbox thread (<c>/admin/inbox/{id}</c>): its mails oldest first, shown as text (inbound HTML is never rendered:
/// a mail without a text part shows its HTML as source), and Assign to me, Reply (queued by
/// <see cref="SupportInboxService.ReplyAsync"/>, sent by email by the dispatcher), Close and Reopen — each audited as the
/// operator and pushed to the other operators as <c>inboxChanged</c>.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class ThreadModel(SupportInboxService inbox, WakeUps wakeUps, LivePushes pushes) : PageModel
{
    public InboxThreadView Thread { get; private set; } = null!;
    public Guid Me { get; private set; }
    public string? Notice { get; private set; }

    [BindProperty]
    [Display(Name = "Reply")]
    public string? ReplyBody { get; set; }

    /// <summary>What the last POST did (Post/Redirect/Get: a reload never repeats it).</summary>
    [BindProperty(SupportsGet = true)] public string? Done { get; set; }

    private static readonly Dictionary<string, string> Notices = new(StringComparer.Ordinal)
    {
        ["assigned"] = "The thread is assigned to you.",
        ["closed"] = "The thread is closed.",
        ["reopened"] = "The thread is open again.",
        ["replied"] = "The reply is queued: it goes out by email in a moment.",
    };

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        Notice = Done is not null && Notices.TryGetValue(Done, out var notice) ? notice : null;
        return await LoadAsync(id, cancellationToken) ?? Page();
    }

    public Task<IActionResult> OnPostAssignAsync(Guid id, CancellationToken cancellationToken) =>
        ChangeAsync(id, "assigned", op => inbox.AssignAsync(id, op.Id, op.Actor, cancellationToken), cancellationToken);

    public Task<IActionResult> OnPostCloseAsync(Guid id, CancellationToken cancellationToken) =>
        ChangeAsync(id, "closed", op => inbox.CloseAsync(id, op.Actor, cancellationToken), cancellationToken);

    public Task<IActionResult> OnPostReopenAsync(Guid id, CancellationToken cancellationToken) =>
        ChangeAsync(id, "reopened", op => inbox.ReopenAsync(id, op.Actor, cancellationToken), cancellationToken);

    public async Task<IActionResult> OnPostReplyAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (string.IsNullOrWhiteSpace(ReplyBody) || ReplyBody.Length > SupportInboxService.MaxReplyLength)
        {
            ModelState.AddModelError(nameof(ReplyBody), "Write a reply of 1 to 100,000 characters.");
            return Page();
        }

        var op = ConsoleOperator.From(User);
        if (await inbox.ReplyAsync(id, ReplyBody, op.Id, op.Actor, cancellationToken) is null)
        {
            return NotFound();
        }

        await wakeUps.PublishAsync(SupportInboxService.WakeTopic);
        pushes.InboxChanged(id, "replied");
        return RedirectToPage(new { id, done = "replied" });
    }

    private async Task<IActionResult> ChangeAsync(
        Guid id, string reason, Func<ConsoleOperator, Task<InboxThreadView?>> change, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (await change(ConsoleOperator.From(User)) is null)
        {
            return NotFound();
        }

        pushes.InboxChanged(id, reason);
        return RedirectToPage(new { id, done = reason });
    }

    private async Task<IActionResult?> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var op = ConsoleOperator.From(User);
        if (!op.IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        Me = op.Id;
        if (await inbox.GetAsync(id, cancellationToken) is not { } thread)
        {
            return NotFound();
        }

        Thread = thread;
        return null;
    }
}
