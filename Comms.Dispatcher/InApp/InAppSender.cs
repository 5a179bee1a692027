using Comms.Core.Inbox;
using Comms.Core.Messages;
using Comms.Dispatcher.Sending;
using Comms.Realtime;

namespace Comms.Dispatcher.InApp;

/// <summary>
/// Delivers in-app messages a batch at a time: the inbox items are written with the messages' final state
/// in one transaction (fenced on each message's claim, so an item is written exactly once), then pushed live
/// to each user's open connections, with one unread count per user — fire-and-forget through
/// <see cref="LivePushes"/>, so a slow or absent Redis never holds up sending. A lost push is caught up by the
/// client from its cursor.
/// </summary>
[Comms.ServiceDefaults.HotPath]
public sealed class InAppSender(InboxWriter inbox, LivePushes pushes) : IBatchChannelSender
{
    public string Channel => Core.Messages.Channel.InApp;

    /// <summary>The inbox: its attempt rows are written with the items, in the inbox transaction (<see cref="InboxWriter"/>).</summary>
    public string Provider => AttemptProviders.InApp;

    public async Task<SendOutcome> SendAsync(ClaimedMessage message, string leaseOwner, CancellationToken cancellationToken) =>
        (await SendBatchAsync([message], leaseOwner, cancellationToken))[0].Outcome;

    public async Task<IReadOnlyList<(ClaimedMessage Message, SendOutcome Outcome)>> SendBatchAsync(
        IReadOnlyList<ClaimedMessage> messages, string leaseOwner, CancellationToken cancellationToken)
    {
        var delivery = await inbox.DeliverAsync(messages, cancellationToken);
        Push(pushes, delivery);

        // Finished messages were marked sent in the inbox transaction; the others lost their claim to another dispatcher.
        var finished = delivery.Finished.Select(m => m.Id).ToHashSet();
        return messages.Select(m => (m, finished.Contains(m.Id) ? (SendOutcome)new SendOutcome.Recorded() : new SendOutcome.LeaseLost())).ToList();
    }

    /// <summary>The live pushes of a delivery: each item, then one unread count per user (fire-and-forget).</summary>
    public static void Push(LivePushes pushes, InboxDelivery delivery)
    {
        foreach (var item in delivery.Items)
        {
            pushes.NotificationReceived(item.Message.TenantId, item.Message.RecipientExternalId, item.Item);
        }

        foreach (var message in delivery.Items.Select(d => d.Message).DistinctBy(m => m.RecipientId))
        {
            if (delivery.Counts.TryGetValue(message.RecipientId, out var unread))
            {
                pushes.UnreadCountChanged(message.TenantId, message.RecipientExternalId, unread);
            }
        }
    }
}
