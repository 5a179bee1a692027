namespace Comms.Dispatcher.Email;

/// <summary>The first email does not pay for the SMTP handshake: one pooled connection is opened at start.</summary>
internal sealed class SmtpWarmUp(SmtpEmailSender sender) : IWarmUpStep
{
    public string Name => "smtp";

    public Task RunAsync(CancellationToken cancellationToken) => sender.WarmUpAsync(cancellationToken);
}
