using Comms.Core.Data;
using Comms.Core.Messages;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Comms.Web.Pages.Admin.Messages;

/// <summary>
/// One message (<c>/admin/messages/{id}</c>): its state and timestamps, attempts and last error, the provider's message
/// id, every attempt through a provider (<see cref="MessageAttempt"/>: time, provider, outcome, response, provider id), its trace id (from its <c>traceparent</c>), what was rendered (as text: HTML is shown as source, never rendered
/// here), and the routing decisions of its event for its recipient. A failed or bounced message can be re-sent (the
/// API's <see cref="MessageResend"/>, audited); a message of a tenant the operator may not see is 404.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class DetailsModel(IDbContextFactory<CommsDbContext> contexts, MessageResend resend) : PageModel
{
    public Message Message { get; private set; } = null!;
    public string RecipientExternalId { get; private set; } = "";
    public RenderedContent? Render { get; private set; }
    public IReadOnlyList<Decision> Decisions { get; private set; } = [];
    public IReadOnlyList<MessageAttempt> Attempts { get; private set; } = [];
    public bool CanManage { get; private set; }
    public string? Notice { get; private set; }

    /// <summary>The W3C trace id of the message's <c>traceparent</c> (<c>00-{trace}-{span}-{flags}</c>).</summary>
    public string? TraceId => Message.TraceParent?.Split('-') is { Length: 4 } parts ? parts[1] : null;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ?? Page();

    public async Task<IActionResult> OnPostResendAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (!CanManage)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        var result = await resend.ResendAsync(Message.TenantId, (_, q) => q.Where(m => m.Id == id), 1, ConsoleOperator.From(User).Actor, bulk: false, cancellationToken);
        Notice = result.Requeued.Count == 1 ? "The message is queued again."
            : result.Suppressed.Count == 1 ? "Its address is on the tenant's suppression list: it was not re-sent."
            : "Only a failed or bounced message (of a recipient who was not erased) can be re-sent.";
        await LoadAsync(id, cancellationToken);
        return Page();
    }

    private async Task<IActionResult?> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var op = ConsoleOperator.From(User);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var message = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (message is null || !op.CanSee(message.TenantId))
        {
            return NotFound();
        }

        Message = message;
        CanManage = op.CanManage(message.TenantId);
        RecipientExternalId = await db.Recipients.AsNoTracking().Where(r => r.Id == message.RecipientId).Select(r => r.ExternalId).FirstAsync(cancellationToken);
        Render = await db.MessageRenders.AsNoTracking().Where(r => r.MessageId == id).Select(r => r.Content).FirstOrDefaultAsync(cancellationToken);
        Attempts = await db.MessageAttempts.AsNoTracking().Where(a => a.TenantId == message.TenantId && a.MessageId == id)
            .OrderBy(a => a.StartedAt).ThenBy(a => a.Id).ToListAsync(cancellationToken);
        Decisions = message.EventId is { } eventId
            ? await db.Decisions.AsNoTracking().Where(d => d.TenantId == message.TenantId && d.EventId == eventId && d.RecipientId == message.RecipientId)
                .OrderBy(d => d.Id).ToListAsync(cancellationToken)
            : [];
        return null;
    }
}
