using System.Globalization;
using Comms.Core.Data;
using Comms.Core.Messages;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Comms.Web.Pages.Admin.Messages;

/// <summary>One line of the delivery log.</summary>
public sealed record MessageLine(
    Guid Id, string TenantId, string Channel, string? Provider, string Recipient, string Template, string Status, int Attempts, string? LastError,
    DateTimeOffset CreatedAt);

/// <summary>
/// The delivery log (<c>/admin/messages</c>): every message, newest first, 50 a page, filtered by tenant, channel, status,
/// provider (of its latest attempt), recipient (external id), event and creation time, with the API's own filter rules (<see cref="MessageLog"/>). An
/// operator with tenant grants sees only their tenants' messages.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class IndexModel(IDbContextFactory<CommsDbContext> contexts) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public string? Tenant { get; set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? Channel { get; set; }
    [BindProperty(SupportsGet = true)] public string? Provider { get; set; }
    [BindProperty(SupportsGet = true)] public string? Recipient { get; set; }
    [BindProperty(SupportsGet = true)] public Guid? Event { get; set; }
    [BindProperty(SupportsGet = true)] public DateTime? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateTime? To { get; set; }
    [BindProperty(SupportsGet = true)] public Guid? Before { get; set; }

    public IReadOnlyList<MessageLine> Lines { get; private set; } = [];
    public Dictionary<string, string[]> Errors { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var filter = new MessageFilter(Blank(Status), Blank(Channel), Blank(Recipient), Event, Utc(From), Utc(To), Blank(Provider));
        Errors = MessageLog.Validate(filter, "");
        if (Errors.Count > 0)
        {
            return;
        }

        var scope = ConsoleOperator.From(User).Tenants;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = MessageLog.Apply(db, db.Messages.AsNoTracking(), filter);
        if (scope is not null)
        {
            query = query.Where(m => scope.Contains(m.TenantId));
        }

        if (Blank(Tenant) is { } tenant)
        {
            query = query.Where(m => m.TenantId == tenant);
        }

        if (Before is { } before)
        {
            query = query.Where(m => m.Id.CompareTo(before) < 0);
        }

        Lines = await (from m in query.OrderByDescending(m => m.Id).Take(PageSize)
                       join r in db.Recipients on m.RecipientId equals r.Id
                       orderby m.Id descending
                       select new MessageLine(m.Id, m.TenantId, m.Channel, m.Provider, r.ExternalId, m.TemplateName + " v" + m.TemplateVersion, m.Status, m.Attempts,
                           m.LastError, m.CreatedAt)).ToListAsync(cancellationToken);
    }

    public string? Error(string field) => Errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    /// <summary>The next page's query string (the same filters, older messages), or null on the last page.</summary>
    public string? NextPage => Lines.Count < PageSize ? null : QueryString.Create(new Dictionary<string, string?>
    {
        ["tenant"] = Tenant, ["status"] = Status, ["channel"] = Channel, ["provider"] = Provider, ["recipient"] = Recipient, ["event"] = Event?.ToString(),
        ["from"] = From?.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture), ["to"] = To?.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture),
        ["before"] = Lines[^1].Id.ToString(),
    }.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();

    /// <summary>The datetime-local inputs are UTC (the page says so).</summary>
    private static DateTimeOffset? Utc(DateTime? value) => value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
