using System.Security.Claims;
using Comms.Core.Broadcasts;
using Comms.Core.DirectMessages;
using Comms.Realtime;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin.Broadcasts;

/// <summary>
/// One broadcast (<c>/admin/broadcasts/{id}</c>). A draft: the composer (Save draft clears every test send, as the API
/// does), Test send (to the operator's own addresses; unlocks the send for this operator for 30 minutes) and Send
/// (fresh-auth; refused by the API's own rule in <see cref="BroadcastSender"/> until this operator has test-sent it).
/// Once sending: the progress per channel, Pause, Resume and Cancel (<see cref="BroadcastControl"/>). Every step is
/// audited as the operator.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class DetailsModel(
    BroadcastService broadcasts, BroadcastSender sender, BroadcastControl control, ConsoleFreshAuth freshAuth, LivePushes pushes) : PageModel
{
    public const string TestSendRequiredMessage =
        "Send a test first: test-send this broadcast yourself; the send is allowed to you for 30 minutes after that.";

    private static readonly Dictionary<string, string> Notices = new(StringComparer.Ordinal)
    {
        ["saved"] = "The draft is saved.",
        ["announced"] = "The release note's announcement is a draft: test-send it, then send it.",
        ["test-sent"] = "The test is on its way to your own addresses. You may send this broadcast for the next 30 minutes.",
        ["sent"] = "The broadcast is sending.",
        ["paused"] = "The broadcast is paused.",
        ["resumed"] = "The broadcast is sending again.",
        ["cancelled"] = "The broadcast is cancelled.",
    };

    [BindProperty] public BroadcastForm Form { get; set; } = new();
    [BindProperty] public string? ConfirmPassword { get; set; }
    [BindProperty] public string? ConfirmTotp { get; set; }
    [BindProperty(SupportsGet = true)] public string? Done { get; set; }

    public BroadcastView Broadcast { get; private set; } = null!;
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public string? Notice { get; private set; }
    public string? Refusal { get; private set; }
    public string? FreshAuthPrompt { get; private set; }
    public bool IsDraft => Broadcast.Status == BroadcastStatus.Draft;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        Notice = Done is not null && Notices.TryGetValue(Done, out var notice) ? notice : null;
        Form = BroadcastForm.From(Broadcast);
        return Page();
    }

    /// <summary>The progress as JSON (<c>{ status, progress }</c>), polled by the page while the broadcast is sending.</summary>
    public async Task<IActionResult> OnGetProgressAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        Response.Headers.CacheControl = "no-store";
        return new JsonResult(new { status = Broadcast.Status, progress = Broadcast.Progress });
    }

    public async Task<IActionResult> OnPostSaveAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        var request = Form.ToRequest();
        Errors = BroadcastValidation.Validate(request, out var audience);
        if (Errors.Count > 0)
        {
            return Page();
        }

        return await broadcasts.UpdateAsync(id, request, audience!, ConsoleOperator.From(User).Actor, cancellationToken) switch
        {
            BroadcastOutcome.Done => RedirectToPage(new { id, done = "saved" }),
            BroadcastOutcome.Invalid invalid => Refused(invalid.Errors),
            var other => Refused(other),
        };
    }

    public async Task<IActionResult> OnPostTestSendAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        return Answer(await sender.TestSendAsync(Sender(), id, cancellationToken), id, "test-sent");
    }

    public async Task<IActionResult> OnPostSendAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        if ((FreshAuthPrompt = await freshAuth.ConfirmAsync(HttpContext, ConfirmPassword, ConfirmTotp, cancellationToken)) is not null)
        {
            Form = BroadcastForm.From(Broadcast);
            return Page();
        }

        return Answer(await sender.SendAsync(Sender(), id, cancellationToken), id, "sent");
    }

    public Task<IActionResult> OnPostPauseAsync(Guid id, CancellationToken cancellationToken) =>
        ControlAsync(id, () => control.PauseAsync(id, ConsoleOperator.From(User).Actor, cancellationToken), "paused", cancellationToken);

    public Task<IActionResult> OnPostResumeAsync(Guid id, CancellationToken cancellationToken) =>
        ControlAsync(id, () => control.ResumeAsync(id, ConsoleOperator.From(User).Actor, cancellationToken), "resumed", cancellationToken);

    public Task<IActionResult> OnPostCancelAsync(Guid id, CancellationToken cancellationToken) =>
        ControlAsync(id, () => control.CancelAsync(id, ConsoleOperator.From(User).Actor, cancellationToken), "cancelled", cancellationToken);

    private async Task<IActionResult> ControlAsync(Guid id, Func<Task<BroadcastControl.Result>> change, string done, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        switch (await change())
        {
            case BroadcastControl.Result.Done result:
                if (result.Banner is { } audience)
                {
                    pushes.BannersChanged(audience);
                }

                return RedirectToPage(new { id, done });
            case BroadcastControl.Result.Refused no:
                return Refused(no.Outcome);
            default:
                throw new InvalidOperationException("Unknown result.");
        }
    }

    private IActionResult Answer(BroadcastSender.Result result, Guid id, string done)
    {
        switch (result)
        {
            case BroadcastSender.Result.Done sent:
                if (sent.Banner is { } audience)
                {
                    pushes.BannersChanged(audience);
                }

                return RedirectToPage(new { id, done });
            case BroadcastSender.Result.Refused no:
                return Refused(no.Outcome);
            case BroadcastSender.Result.Failed failed:
                Form = BroadcastForm.From(Broadcast);
                Refusal = $"The broadcast could not be sent: {failed.Detail}";
                return Page();
            default:
                throw new InvalidOperationException("Unknown result.");
        }
    }

    private PageResult Refused(Dictionary<string, string[]> errors)
    {
        Errors = errors;
        return Page();
    }

    private IActionResult Refused(BroadcastOutcome outcome)
    {
        if (outcome is BroadcastOutcome.NotFound)
        {
            return NotFound();
        }

        Form = BroadcastForm.From(Broadcast);
        Refusal = outcome switch
        {
            BroadcastOutcome.TestSendRequired => TestSendRequiredMessage,
            BroadcastOutcome.WrongState wrong => $"Not now: the broadcast is {wrong.Status}.",
            BroadcastOutcome.Invalid invalid => string.Join(" ", invalid.Errors.SelectMany(e => e.Value)),
            _ => "The broadcast could not be changed.",
        };
        return Page();
    }

    private DirectMessageOperator Sender()
    {
        var op = ConsoleOperator.From(User);
        return new DirectMessageOperator(op.Id, User.FindFirstValue(ClaimTypes.Email) ?? "", op.Name);
    }

    private async Task<IActionResult?> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!ConsoleOperator.From(User).IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        if (await broadcasts.GetAsync(id, cancellationToken) is not { } view)
        {
            return NotFound();
        }

        Broadcast = view;
        return null;
    }
}
