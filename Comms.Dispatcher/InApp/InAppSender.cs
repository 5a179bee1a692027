using Comms.Core.Inbox;
using Comms.Core.Messages;
using Comms.Dispatcher.Sending;
using Comms.Realtime;
using Microsoft.AspNetCore.SignalR;

namespace Comms.Dispatcher.InApp;

/// <summary>
/// Delivers in-app messages a batch at a time: the inbox items are written with the messages' final
/// state in one transaction, then pushed live to each user's open connections through the SignalR Redis
/// backplane, with one unread count per user. A lost push is caught up by the client from its cursor.
/// </summary>
public sealed partial class InAppSender(
    InboxWriter inbox,
    IHubContext<NotificationsHub, INotificationsClient> hub,
    ILogger<InAppSender> logger) : IBatchChannelSender
{
    public string Channel => Core.Messages.Channel.InApp;

    public async Task<SendOutcome> SendAsync(ClaimedMessage message, string leaseOwner, CancellationToken cancellationToken) =>
        (await SendBatchAsync([message], leaseOwner, cancellationToken))[0].Outcome;

    public async Task<IReadOnlyList<(ClaimedMessage Message, SendOutcome Outcome)>> SendBatchAsync(
        IReadOnlyList<ClaimedMessage> messages, string leaseOwner, CancellationToken cancellationToken)
    {
        var (delivered, counts) = await inbox.DeliverAsync(messages, leaseOwner, cancellationToken);
        try
        {
            foreach (var item in delivered)
            {
                await UserOf(item.Message).NotificationReceived(item.Item);
            }

            foreach (var message in delivered.Select(d => d.Message).DistinctBy(m => m.RecipientId))
            {
                if (counts.TryGetValue(message.RecipientId, out var unread))
                {
                    await UserOf(message).UnreadCountChanged(unread);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPushFailed(logger, delivered.Count, ex.Message);
        }

        // Delivered messages were finished in the inbox transaction; the others lost their lease to another dispatcher.
        var finished = delivered.Select(d => d.Message.Id).ToHashSet();
        return messages.Select(m => (m, finished.Contains(m.Id) ? (SendOutcome)new SendOutcome.Recorded() : new SendOutcome.LeaseLost())).ToList();
    }

    private INotificationsClient UserOf(ClaimedMessage message) =>
        hub.Clients.User(TenantUserIdProvider.UserKey(message.TenantId, message.RecipientExternalId));

    [LoggerMessage(1, LogLevel.Warning, "Live push of {Count} in-app items failed: {Problem}; clients catch up on reconnect.")]
    private static partial void LogPushFailed(ILogger logger, int count, string problem);
}
