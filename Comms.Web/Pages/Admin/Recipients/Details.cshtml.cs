using Comms.Core.Audit;
using Comms.Core.Data;
using Comms.Core.Inbox;
using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Recipients;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Comms.Web.Pages.Admin.Recipients;

/// <summary>
/// One recipient (<c>/admin/tenants/{tenant}/recipients/{externalId}</c>): profile, devices (tokens shortened), the
/// preference matrix — which a SysOperator or the tenant's CommsEditor may change, through the same
/// <see cref="PreferenceService"/> as the API's preference endpoints, audited <c>recipient.preferences.changed</c> —,
/// recent inbox items, messages and decisions. Viewers and approvers see it read-only (a POST is 403); another tenant's
/// recipient is 404. An erased recipient shows as erased with nothing personal.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class DetailsModel(IDbContextFactory<CommsDbContext> contexts, PreferenceService preferences, AuditLog audit) : PageModel
{
    public const int Recent = 25;

    [BindProperty(SupportsGet = true)] public string Tenant { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string ExternalId { get; set; } = "";

    /// <summary>The checked cells, as <c>category:channel</c>.</summary>
    [BindProperty] public List<string> On { get; set; } = [];

    public Recipient Recipient { get; private set; } = null!;
    public bool Erased => Recipient.ErasedAt is not null;
    public bool CanManage { get; private set; }
    public PreferenceMatrix? Matrix { get; private set; }
    public IReadOnlyList<Device> Devices { get; private set; } = [];
    public IReadOnlyList<InboxItem> Inbox { get; private set; } = [];
    public IReadOnlyList<Message> Messages { get; private set; } = [];
    public IReadOnlyList<Decision> Decisions { get; private set; } = [];
    public string? Notice { get; private set; }
    public IReadOnlyList<string> Problems { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ?? Page();

    public async Task<IActionResult> OnPostPreferencesAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } refused)
        {
            return refused;
        }

        if (!CanManage || Erased || Matrix is null)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        var changes = Changes(Matrix, On);
        if (changes.Count == 0)
        {
            Notice = "Nothing changed.";
            return Page();
        }

        switch (await preferences.UpdateByIdAsync(Tenant, Recipient.Id, new PreferenceUpdate(changes, null, null), cancellationToken))
        {
            case PreferenceResult.Saved saved:
                await audit.AppendAsync(Tenant, ConsoleOperator.From(User).Actor, "recipient.preferences.changed", "recipient:" + Recipient.Id,
                    new { via = "console", changes = changes.Select(c => new { c.Category, c.Channel, c.Enabled }) }, cancellationToken);
                Matrix = saved.Matrix;
                Notice = "The preferences were saved.";
                break;
            case PreferenceResult.Locked locked:
                Problems = [.. locked.Rows.Select(r => $"{r.Category} on {r.Channel} is critical and cannot be turned off.")];
                break;
            case PreferenceResult.Invalid invalid:
                Problems = [.. invalid.Errors.SelectMany(e => e.Value)];
                break;
            default:
                return NotFound();
        }

        return Page();
    }

    /// <summary>The cells whose posted value differs from the stored one (locked cells are never changed here).</summary>
    public static List<PreferenceChange> Changes(PreferenceMatrix stored, IReadOnlyCollection<string> on) =>
        [.. stored.Categories.SelectMany(row => row.Channels.Where(c => !c.Locked && c.Enabled != on.Contains(Key(row.Category, c.Channel)))
            .Select(c => new PreferenceChange(row.Category, c.Channel, !c.Enabled)))];

    public static string Key(string category, string channel) => $"{category}:{channel}";

    /// <summary>A device token shortened for the screen: its start and end only.</summary>
    public static string Shorten(string token) => token.Length <= 12 ? new string('•', token.Length) : $"{token[..6]}…{token[^4..]}";

    private async Task<IActionResult?> LoadAsync(CancellationToken cancellationToken)
    {
        var op = ConsoleOperator.From(User);
        if (!op.CanSee(Tenant))
        {
            return NotFound();
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var recipient = await db.Recipients.AsNoTracking().FirstOrDefaultAsync(r => r.TenantId == Tenant && r.ExternalId == ExternalId, cancellationToken);
        if (recipient is null)
        {
            return NotFound();
        }

        Recipient = recipient;
        CanManage = op.CanManage(Tenant);
        if (Erased)
        {
            return null;
        }

        Matrix = await preferences.GetByIdAsync(Tenant, recipient.Id, cancellationToken);
        Devices = await db.Devices.AsNoTracking().Where(d => d.TenantId == Tenant && d.RecipientId == recipient.Id)
            .OrderBy(d => d.CreatedAt).ToListAsync(cancellationToken);
        Inbox = await db.InboxItems.AsNoTracking().Where(i => i.TenantId == Tenant && i.RecipientId == recipient.Id)
            .OrderByDescending(i => i.CreatedAt).Take(Recent).ToListAsync(cancellationToken);
        Messages = await db.Messages.AsNoTracking().Where(m => m.TenantId == Tenant && m.RecipientId == recipient.Id)
            .OrderByDescending(m => m.Id).Take(Recent).ToListAsync(cancellationToken);
        Decisions = await db.Decisions.AsNoTracking().Where(d => d.TenantId == Tenant && d.RecipientId == recipient.Id)
            .OrderByDescending(d => d.Id).Take(Recent).ToListAsync(cancellationToken);
        return null;
    }
}
