using Comms.Core.Inbox;
using Comms.Core.Messages;
using Comms.Dispatcher.Sending;
using Comms.Realtime;
using Microsoft.AspNetCore.SignalR;

namespace Comms.Dispatcher.InApp;

/// <summary>
/// Delivers in-app messages: the inbox item is written (with the message's final state) in one
/// transaction, then pushed live to the user's open connections through the SignalR Redis backplane.
/// A lost push is caught up by the client from its last cursor.
/// </summary>
public sealed partial class InAppSender(
    InboxWriter inbox,
    IHubContext<NotificationsHub, INotificationsClient> hub,
    ILogger<InAppSender> logger) : IChannelSender
{
    public string Channel => Core.Messages.Channel.InApp;

    public async Task<SendOutcome> SendAsync(ClaimedMessage message, string leaseOwner, CancellationToken cancellationToken)
    {
        var delivered = await inbox.DeliverAsync(message, leaseOwner, cancellationToken);
        if (delivered is null)
        {
            return new SendOutcome.Recorded();
        }

        var (item, counts) = delivered.Value;
        try
        {
            var user = hub.Clients.User(TenantUserIdProvider.UserKey(message.TenantId, message.RecipientExternalId));
            await user.NotificationReceived(item);
            await user.UnreadCountChanged(counts);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPushFailed(logger, message.Id, ex.Message);
        }

        return new SendOutcome.Recorded();
    }

    [LoggerMessage(1, LogLevel.Warning, "Live push of in-app message {MessageId} failed: {Problem}; clients catch up on reconnect.")]
    private static partial void LogPushFailed(ILogger logger, Guid messageId, string problem);
}
