using System.Text.Json;
using Comms.Core.Inbox;
using Comms.Web.Session;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Notifications;

/// <summary>The end user's notification center: the first page is rendered here, then it updates live over SignalR.</summary>
[Authorize(Policy = EndUserAuth.PagesPolicy)]
public sealed class IndexModel(InboxService inbox) : PageModel
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public InboxPage Inbox { get; private set; } = new([], null, InboxCursor.Start, false, 0, 0, default);

    public string ExternalId { get; private set; } = "";

    public string InitialJson { get; private set; } = "{}";

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var (tenant, user) = User.CurrentUser();
        ExternalId = user;
        Inbox = await inbox.ListAsync(tenant, user, new InboxQuery(Limit: SessionEndpoints.PageSize), cancellationToken);
        // Escape '<' so the JSON cannot close the script element it is embedded in.
        InitialJson = JsonSerializer.Serialize(Inbox, Json).Replace("<", "\\u003c", StringComparison.Ordinal);
    }
}
