using Comms.Core.Messages;
using Comms.Dispatcher.Sending;

namespace Comms.Dispatcher.Throttling;

/// <summary>
/// A sender that is not an HTTP client (SMTP) behind its provider's guards, through the direct API
/// (<see cref="ProviderGuards.ExecuteAsync{T}"/>): the breaker and the shared bucket are passed before each send, and a
/// transient outcome (not one that only says our database is away) or a connection-level exception counts as a failure.
/// A held send throws <see cref="ProviderHeldException"/>, which the sending worker turns into <see cref="SendOutcome.Held"/>.
/// </summary>
[Comms.ServiceDefaults.HotPath]
public sealed class GuardedChannelSender(IChannelSender inner, string provider, ProviderGuards guards) : IChannelSender
{
    public string Channel => inner.Channel;

    public string Provider => inner.Provider;

    public Task<SendOutcome> SendAsync(ClaimedMessage message, string leaseOwner, CancellationToken cancellationToken) =>
        guards.ExecuteAsync(
            provider,
            ct => inner.SendAsync(message, leaseOwner, ct),
            outcome => outcome switch
            {
                SendOutcome.Transient { Infrastructure: false } => ProviderAnswer.Failed,
                SendOutcome.Sent or SendOutcome.Recorded => ProviderAnswer.Accepted,
                SendOutcome.Permanent => ProviderAnswer.Rejected,
                _ => ProviderAnswer.Other,
            },
            exception => exception is IOException or System.Net.Sockets.SocketException or TimeoutException,
            cancellationToken);
}
