using Comms.Dispatcher.Throttling;

namespace Comms.Dispatcher.Email;

/// <summary>
/// The first email does not pay for the SMTP handshake nor the JIT of the send path: one pooled connection is opened at
/// start, a whole transaction is rehearsed against an in-memory script (<see cref="SmtpRehearsal"/>), and the provider
/// guards' breaker runs one attempt of its own.
/// </summary>
internal sealed class SmtpWarmUp(SmtpEmailSender sender, ProviderGuards guards) : IWarmUpStep
{
    public string Name => "smtp";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await sender.WarmUpAsync(cancellationToken);
        await guards.WarmUpAsync(cancellationToken);
    }

    /// <summary>In the tier-up rounds: the rehearsal and the breaker again, no further connection.</summary>
    public async Task RepeatAsync(CancellationToken cancellationToken)
    {
        await sender.RehearseAsync(cancellationToken);
        await guards.WarmUpAsync(cancellationToken);
    }
}
