using Comms.Core.Contexts;
using Comms.Core.Queueing;
using Comms.Web.Session;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Communications;

/// <summary>What the compose form posts.</summary>
public sealed class ComposeForm
{
    public string Audience { get; set; } = MessageAudience.Everyone;
    public List<string> Channels { get; set; } = [.. ScheduledMessageDefaults.Channels];
    public string? Subject { get; set; }
    public string? Body { get; set; }

    /// <summary><c>draft</c>, <c>schedule</c> (at <see cref="SendAt"/>, in the context's time zone) or <c>now</c>.</summary>
    public string Mode { get; set; } = "draft";

    public DateTime? SendAt { get; set; }
}

/// <summary>
/// The host's Communications page for a context (SPEC S7): compose with a live "N recipients will receive this",
/// tabs Scheduled / Sent / Cancelled, send-now and cancel. Only the context's owner, signed in with the host product's
/// token, sees it (anyone else gets 404). It writes through the same <see cref="ScheduledMessageService"/> as the API.
/// </summary>
[Authorize(Policy = EndUserAuth.PagesPolicy)]
public sealed class IndexModel(ContextService contexts, ScheduledMessageService messages, WakeUps wakeUps, TimeProvider time) : PageModel
{
    public static readonly IReadOnlyList<(string Id, string Label)> Tabs = [("scheduled", "Scheduled"), ("sent", "Sent"), ("cancelled", "Cancelled")];

    public Context Context { get; private set; } = null!;
    public string ExternalId { get; private set; } = "";
    public string Tab { get; private set; } = "scheduled";
    public IReadOnlyList<ScheduledMessageView> Shown { get; private set; } = [];
    public int InitialCount { get; private set; }
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public string? Notice { get; private set; }

    [BindProperty]
    public ComposeForm Form { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(string key, string? tab, string? notice, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(key, cancellationToken))
        {
            return NotFound();
        }

        Notice = notice switch { "created" => "The message was saved.", "sending" => "The message is on its way.", "cancelled" => "The message was cancelled.", _ => null };
        await ShowAsync(tab, cancellationToken);
        return Page();
    }

    /// <summary>The live count the compose form shows as the audience changes.</summary>
    public async Task<IActionResult> OnGetRecipientCountAsync(string key, string? audience, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(key, cancellationToken))
        {
            return NotFound();
        }

        if (!MessageAudience.IsKnown(audience))
        {
            return BadRequest();
        }

        return new JsonResult(new RecipientCount(await messages.CountAsync(Context, audience!, cancellationToken)));
    }

    public async Task<IActionResult> OnPostCreateAsync(string key, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(key, cancellationToken))
        {
            return NotFound();
        }

        DateTimeOffset? sendAt = null;
        if (Form.Mode == "schedule" && Form.SendAt is { } local)
        {
            var zone = Core.Preferences.TimeZones.FindOrUtc(Context.TimeZone);
            sendAt = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone.GetUtcOffset(local)).ToUniversalTime();
        }

        var request = new ScheduledMessageRequest(Form.Audience, Form.Channels, Form.Subject, Form.Body,
            Form.Mode == "schedule" ? ScheduledMessageStatus.Scheduled : ScheduledMessageStatus.Draft, sendAt);
        var created = await messages.CreateAsync(Context, request, cancellationToken);
        if (created.Message is not { } message)
        {
            Errors = created.Errors ?? [];
            await ShowAsync("scheduled", cancellationToken);
            return Page();
        }

        if (Form.Mode == "now")
        {
            await messages.SendNowAsync(Context, message.Id, cancellationToken);
        }

        await WakeAsync(Form.Mode != "draft");
        return RedirectToPage(new { key, tab = Form.Mode == "now" ? "sent" : "scheduled", notice = Form.Mode == "now" ? "sending" : "created" });
    }

    public Task<IActionResult> OnPostSendNowAsync(string key, Guid id, CancellationToken cancellationToken) =>
        ActAsync(key, id, messages.SendNowAsync, "sending", cancellationToken);

    public Task<IActionResult> OnPostCancelAsync(string key, Guid id, CancellationToken cancellationToken) =>
        ActAsync(key, id, messages.CancelAsync, "cancelled", cancellationToken);

    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var list) ? string.Join(" ", list) : null;

    public string When(DateTimeOffset? instant) => Placeholders.FormatDate(instant, "en-US", Context.TimeZone);

    private async Task<IActionResult> ActAsync(
        string key, Guid id, Func<Context, Guid, CancellationToken, Task<MessageChange>> act, string notice, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(key, cancellationToken))
        {
            return NotFound();
        }

        var result = await act(Context, id, cancellationToken);
        if (result.Message is null)
        {
            Errors["message"] = [result.Problem == ScheduledMessageService.NotEditable
                ? $"That message is {result.Status} and can no longer be changed. ({result.Problem})"
                : "That message does not exist."];
            await ShowAsync("scheduled", cancellationToken);
            return Page();
        }

        await WakeAsync(notice == "sending");
        return RedirectToPage(new { key, tab = notice == "sending" ? "sent" : "cancelled", notice });
    }

    private async Task WakeAsync(bool due)
    {
        if (due)
        {
            await wakeUps.PublishAsync(ScheduledMessageScheduler.WakeTopic);
        }
    }

    private async Task<bool> LoadAsync(string key, CancellationToken cancellationToken)
    {
        var (tenant, user) = User.CurrentUser();
        ExternalId = user;
        var context = await contexts.FindAsync(tenant, key, cancellationToken);
        if (context is null || context.OwnerExternalId != user)
        {
            return false;
        }

        Context = context;
        return true;
    }

    private async Task ShowAsync(string? tab, CancellationToken cancellationToken)
    {
        Tab = Tabs.Any(t => t.Id == tab) ? tab! : "scheduled";
        var all = await messages.ListAsync(Context, cancellationToken);
        var now = time.GetUtcNow();
        // A scheduled message that is already due (just sent with "Send now", not yet picked up by a scheduler) is on its
        // way: it belongs with the sent ones, where "Send now" leads the host.
        bool Due(ScheduledMessageView m) => m.Status == ScheduledMessageStatus.Scheduled && m.SendAt is { } at && at <= now;
        Shown = [.. all.Where(m => Tab switch
        {
            "sent" => m.Status is ScheduledMessageStatus.Sent or ScheduledMessageStatus.Failed or ScheduledMessageStatus.Sending || Due(m),
            "cancelled" => m.Status == ScheduledMessageStatus.Cancelled,
            _ => m.Status is ScheduledMessageStatus.Draft || (m.Status == ScheduledMessageStatus.Scheduled && !Due(m)),
        })];
        InitialCount = await messages.CountAsync(Context, MessageAudience.IsKnown(Form.Audience) ? Form.Audience : MessageAudience.Everyone, cancellationToken);
    }
}
