using Comms.Core.Email;
using Comms.Core.Messages;
using Comms.Core.Routing;
using Comms.Dispatcher.Sending;
using Comms.Dispatcher.Throttling;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Email;

/// <summary>The email providers this dispatcher has: which are configured and the deployment's default.</summary>
public sealed record EmailProviderChoice(string Default, IReadOnlyList<string> Configured);

/// <summary>
/// The one <c>email</c> channel sender: each message goes through its tenant's email provider (<c>Tenant.EmailProvider</c>
/// when this deployment configured it, else <c>Comms:Channels:Email:Provider</c>), SMTP or SendGrid.
/// </summary>
[Comms.ServiceDefaults.HotPath]
public partial class EmailSender(
    EmailProviderChoice providers, TenantCatalog catalog, IServiceProvider services, ILogger<EmailSender> logger) : IChannelSender
{
    private readonly SendGridEmailProvider? _sendGrid = services.GetService<SendGridEmailProvider>();

    /// <summary>SMTP behind its provider guards (the <c>smtp</c> bucket and breaker): a held send throws <see cref="ProviderHeldException"/>.</summary>
    private readonly GuardedChannelSender? _smtp = services.GetService<SmtpEmailSender>() is { } smtp
        ? new GuardedChannelSender(smtp, EmailProviders.Smtp, services.GetRequiredService<ProviderGuards>())
        : null;

    public string Channel => Core.Messages.Channel.Email;

    /// <summary>The deployment's default email provider, for an attempt whose outcome names none (e.g. an exception).</summary>
    public string Provider => providers.Default;

    public async Task<SendOutcome> SendAsync(ClaimedMessage message, string leaseOwner, CancellationToken cancellationToken) =>
        await ProviderOfAsync(message.TenantId, cancellationToken) == EmailProviders.SendGrid
            ? (await _sendGrid!.SendAsync([message], cancellationToken))[0]
            : await SendSmtpAsync(message, leaseOwner, cancellationToken);

    /// <summary>One email over SMTP, through the <c>smtp</c> guards.</summary>
    protected Task<SendOutcome> SendSmtpAsync(ClaimedMessage message, string leaseOwner, CancellationToken cancellationToken) =>
        _smtp!.SendAsync(message, leaseOwner, cancellationToken);

    /// <summary>The provider of a tenant's email: its own choice when configured here, else the deployment's default.</summary>
    public async Task<string> ProviderOfAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (providers.Configured.Count == 1)
        {
            return providers.Default;
        }

        var chosen = (await catalog.GetAsync(tenantId, cancellationToken))?.Tenant.EmailProvider;
        if (chosen is null)
        {
            return providers.Default;
        }

        if (providers.Configured.Contains(chosen, StringComparer.Ordinal))
        {
            return chosen;
        }

        LogUnconfiguredChoice(logger, tenantId, chosen, providers.Default);
        return providers.Default;
    }

    [LoggerMessage(1, LogLevel.Warning, "Tenant {TenantId} chose the email provider {Chosen}, which this dispatcher does not have; using {Default}")]
    private static partial void LogUnconfiguredChoice(ILogger logger, string tenantId, string chosen, string @default);
}

/// <summary>
/// The email sender when SendGrid is configured: a claimed batch goes out as SendGrid requests of up to 1,000
/// personalizations (several in flight) for the tenants on SendGrid, and as parallel SMTP sends for the others.
/// Every message gets its own outcome; a rejected personalization fails alone.
/// </summary>
public sealed class BatchEmailSender(
    EmailProviderChoice providers, TenantCatalog catalog, IServiceProvider services, IOptions<DispatcherOptions> dispatcher,
    ILogger<EmailSender> logger) : EmailSender(providers, catalog, services, logger), IBatchChannelSender
{
    private readonly SendGridEmailProvider _sendGrid = services.GetRequiredService<SendGridEmailProvider>();

    public async Task<IReadOnlyList<(ClaimedMessage Message, SendOutcome Outcome)>> SendBatchAsync(
        IReadOnlyList<ClaimedMessage> messages, string leaseOwner, CancellationToken cancellationToken)
    {
        var viaSendGrid = new List<ClaimedMessage>(messages.Count);
        var viaSmtp = new List<ClaimedMessage>();
        foreach (var tenant in messages.GroupBy(m => m.TenantId, StringComparer.Ordinal))
        {
            (await ProviderOfAsync(tenant.Key, cancellationToken) == EmailProviders.SendGrid ? viaSendGrid : viaSmtp).AddRange(tenant);
        }

        var outcomes = new Dictionary<Guid, SendOutcome>(messages.Count);
        var sendGrid = viaSendGrid.Count == 0 ? Task.FromResult<IReadOnlyList<SendOutcome>>([]) : _sendGrid.SendAsync(viaSendGrid, cancellationToken);
        var smtp = new SendOutcome[viaSmtp.Count];
        if (viaSmtp.Count > 0)
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, viaSmtp.Count),
                new ParallelOptions { MaxDegreeOfParallelism = dispatcher.Value.MaxParallelSends, CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    try
                    {
                        smtp[i] = await SendSmtpAsync(viaSmtp[i], leaseOwner, ct);
                    }
                    catch (Exception ex) when (ProviderHeldException.Find(ex) is { } held)
                    {
                        smtp[i] = new SendOutcome.Held(held.Until, held.Reason);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                    {
                        smtp[i] = new SendOutcome.Transient(ex.Message);
                    }
                });
        }

        foreach (var (message, outcome) in viaSendGrid.Zip(await sendGrid))
        {
            outcomes[message.Id] = outcome;
        }

        foreach (var (message, outcome) in viaSmtp.Zip(smtp))
        {
            outcomes[message.Id] = outcome;
        }

        return [.. messages.Select(m => (m, outcomes[m.Id]))];
    }
}
