using System.Globalization;
using System.Security.Claims;
using Comms.Core.Data;
using Comms.Core.DirectMessages;
using Comms.Core.Recipients;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Comms.Web.Pages.Admin.Recipients;

/// <summary>
/// "Message this user" (<c>/admin/tenants/{tenant}/recipients/{externalId}/message</c>, SysOperators): a 1:1 direct
/// message through the same <see cref="DirectMessageService"/> as <c>POST /sys/users/{id}/messages</c> — its reason
/// (at least 10 characters), its test send to the operator themself, the real send refused until this operator
/// test-sent the same subject and body within 30 minutes, at most 5 per operator per user per 24 hours, the user's
/// muted channels skipped and shown in the receipt — with fresh-auth for the real send. Audited by the service.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class MessageModel(IDbContextFactory<CommsDbContext> contexts, DirectMessageService messages, ConsoleFreshAuth freshAuth) : PageModel
{
    [BindProperty(SupportsGet = true)] public string Tenant { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string ExternalId { get; set; } = "";
    [BindProperty] public List<string> Channels { get; set; } = ["email"];
    [BindProperty] public string? Subject { get; set; }
    [BindProperty] public string? Body { get; set; }
    [BindProperty] public string? Reason { get; set; }
    [BindProperty] public string? ConfirmPassword { get; set; }
    [BindProperty] public string? ConfirmTotp { get; set; }

    public Recipient Recipient { get; private set; } = null!;
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public string? FreshAuthPrompt { get; private set; }
    public string? Refusal { get; private set; }
    public DirectMessageReceipt? Receipt { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken) ?? Page();

    public Task<IActionResult> OnPostTestAsync(CancellationToken cancellationToken) => SendAsync(testSend: true, cancellationToken);

    public Task<IActionResult> OnPostSendAsync(CancellationToken cancellationToken) => SendAsync(testSend: false, cancellationToken);

    public string? Error(string field) => Errors.TryGetValue(field, out var list) ? string.Join(" ", list) : null;

    private async Task<IActionResult> SendAsync(bool testSend, CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } refused)
        {
            return refused;
        }

        var request = new DirectMessageRequest { Channels = Channels, Subject = Subject, Body = Body, Reason = Reason, TestSend = testSend };
        Errors = DirectMessageValidator.Validate(request);
        if (Errors.Count > 0 || (!testSend && (FreshAuthPrompt = await freshAuth.ConfirmAsync(HttpContext, ConfirmPassword, ConfirmTotp, cancellationToken)) is not null))
        {
            return Page();
        }

        var op = ConsoleOperator.From(User);
        var sender = new DirectMessageOperator(op.Id, User.FindFirstValue(ClaimTypes.Email) ?? "", op.Name);
        switch (await messages.SendAsync(sender, Recipient.Id, request, cancellationToken))
        {
            case DirectMessageOutcome.Done done:
                Receipt = done.Receipt;
                break;
            case DirectMessageOutcome.TestSendRequired:
                Refusal = "Send a test of this exact subject and body to yourself first (within the last 30 minutes), then send.";
                break;
            case DirectMessageOutcome.LimitReached limit:
                Refusal = $"You have sent {DirectMessageService.MaxPerDay} direct messages to this user in the last 24 hours: try again in {Math.Ceiling(limit.RetryAfter.TotalMinutes).ToString(CultureInfo.InvariantCulture)} minutes.";
                break;
            case DirectMessageOutcome.Failed failed:
                Refusal = failed.Detail;
                break;
            default:
                return NotFound();
        }

        return Page();
    }

    private async Task<IActionResult?> LoadAsync(CancellationToken cancellationToken)
    {
        if (!ConsoleOperator.From(User).IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var recipient = await db.Recipients.AsNoTracking().FirstOrDefaultAsync(r => r.TenantId == Tenant && r.ExternalId == ExternalId && r.ErasedAt == null, cancellationToken);
        if (recipient is null)
        {
            return NotFound();
        }

        Recipient = recipient;
        return null;
    }
}
