using Comms.Core.Inbox;

namespace Comms.Realtime;

/// <summary>What the notifications hub pushes to a user's connections (SPEC S5).</summary>
public interface INotificationsClient
{
    Task NotificationReceived(InboxItemView notification);

    Task UnreadCountChanged(UnreadCounts counts);

    Task BannersChanged();
}
