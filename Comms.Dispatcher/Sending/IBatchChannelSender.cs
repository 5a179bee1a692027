using Comms.Core.Messages;

namespace Comms.Dispatcher.Sending;

/// <summary>A sender that handles a whole claimed batch at once (fewer round trips than one message at a time).</summary>
public interface IBatchChannelSender : IChannelSender
{
    /// <summary>Sends the batch; returns an outcome for every message of it.</summary>
    Task<IReadOnlyList<(ClaimedMessage Message, SendOutcome Outcome)>> SendBatchAsync(
        IReadOnlyList<ClaimedMessage> messages, string leaseOwner, CancellationToken cancellationToken);
}
