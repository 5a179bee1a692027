extern alias dispatcher;

using System.Collections.Concurrent;
using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using dispatcher::Comms.Dispatcher.Extensions;
using dispatcher::Comms.Dispatcher.Sending;
using Microsoft.Extensions.DependencyInjection;

namespace Comms.IntegrationTests.Isolation;

/// <summary>A provider of a test channel (no other dispatcher sends it) that counts its calls and answers after a while.</summary>
public sealed class SlowSender(string channel, TimeSpan delay, ConcurrentDictionary<Guid, int> calls) : IChannelSender
{
    public string Channel => channel;

    public async Task<SendOutcome> SendAsync(ClaimedMessage message, string leaseOwner, CancellationToken cancellationToken)
    {
        calls.AddOrUpdate(message.Id, 1, (_, n) => n + 1);
        await Task.Delay(delay, cancellationToken);
        return new SendOutcome.Sent("slow:" + message.Id);
    }

    /// <summary>Starts a dispatcher replica with this sender's sending loop beside the built-in ones.</summary>
    public ServiceFactory<dispatcher::Program> StartDispatcher(CommsFixture fixture, IReadOnlyDictionary<string, string?> settings) =>
        fixture.StartDispatcher(settings, services: s =>
        {
            s.AddSingleton(this);
            s.AddSendingWorker<SlowSender>();
        });
}
