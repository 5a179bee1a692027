namespace Comms.Core.Routing;

/// <summary>
/// The channels this deployment can deliver on (a provider is configured for them). Routing to any
/// other channel records <c>COMMS_NO_PROVIDER</c> and tries the rule's fallbacks, instead of queueing
/// messages that nothing would ever send.
/// </summary>
public sealed class ChannelProviders(IEnumerable<string> channels)
{
    private readonly HashSet<string> _channels = new(channels, StringComparer.Ordinal);

    public bool Has(string channel) => _channels.Contains(channel);

    public IReadOnlyCollection<string> Channels => _channels;
}
