using Comms.Core.Inbox;

namespace Comms.Realtime;

/// <summary>
/// The end user's inbox writes, each pushed live to the user's other tabs and devices once it has committed
/// (<c>notificationChanged</c> and <c>unreadCountChanged</c>, fire-and-forget through <see cref="LivePushes"/>, so a
/// write never waits on Redis and never fails because of it). Used by the API's <c>/me</c> endpoints and by the Web's
/// notification center alike.
/// </summary>
public sealed class LiveInbox(InboxService inbox, LivePushes pushes)
{
    /// <summary>Null when the item is not the user's.</summary>
    public async Task<InboxItemChanged?> ChangeAsync(string tenantId, string externalId, Guid itemId, InboxAction action, CancellationToken cancellationToken)
    {
        if (await inbox.ChangeAsync(tenantId, externalId, itemId, action, cancellationToken) is not var (change, counts))
        {
            return null;
        }

        pushes.NotificationChanged(tenantId, externalId, change);
        pushes.UnreadCountChanged(tenantId, externalId, counts);
        return InboxItemChanged.From(change, counts);
    }

    public async Task<UnreadCounts> ReadAllAsync(string tenantId, string externalId, string? category, CancellationToken cancellationToken)
    {
        var (change, counts) = await inbox.ReadAllAsync(tenantId, externalId, category, cancellationToken);
        if (change is not null)
        {
            pushes.NotificationChanged(tenantId, externalId, change);
        }

        pushes.UnreadCountChanged(tenantId, externalId, counts);
        return counts;
    }

    public async Task<UnreadCounts> SeenAsync(string tenantId, string externalId, CancellationToken cancellationToken)
    {
        var counts = await inbox.SeenAsync(tenantId, externalId, cancellationToken);
        pushes.UnreadCountChanged(tenantId, externalId, counts);
        return counts;
    }
}
