using Comms.Core.ContextMail;
using Comms.Core.Inbox;
using Microsoft.AspNetCore.SignalR;

namespace Comms.Realtime;

/// <summary>What the notifications hub pushes to a user's connections (SPEC S5), under camelCase wire names.</summary>
public interface INotificationsClient
{
    [HubMethodName("notificationReceived")]
    Task NotificationReceived(InboxItemView notification);

    /// <summary>An item was read, unread, archived or unarchived, or every item was read (<see cref="NotificationChange"/>).</summary>
    [HubMethodName("notificationChanged")]
    Task NotificationChanged(NotificationChange change);

    [HubMethodName("unreadCountChanged")]
    Task UnreadCountChanged(UnreadCounts counts);

    /// <summary>A context's unread mail count changed (SPEC S8): a new mail, or one read or deleted in another tab.</summary>
    [HubMethodName("contextUnreadChanged")]
    Task ContextUnreadChanged(ContextUnread unread);

    [HubMethodName("bannersChanged")]
    Task BannersChanged();

    /// <summary>The operator inbox changed (operators' connections only, <see cref="NotificationsHub.OperatorsGroup"/>): a new mail, an assignment, a reply, a close or reopen.</summary>
    [HubMethodName("inboxChanged")]
    Task InboxChanged(InboxChange change);
}

/// <summary>What changed in the operator inbox: the thread and why (<c>received</c>, <c>assigned</c>, <c>replied</c>, <c>closed</c>, <c>reopened</c>).</summary>
public sealed record InboxChange(Guid ThreadId, string Reason);
