using Comms.Core.Messages;
using Comms.Dispatcher.Sending;

namespace Comms.Dispatcher.Push;

/// <summary>
/// Delivers push messages to every device of the recipient whose provider is configured (Expo, FCM), a claimed batch
/// at a time (Expo takes up to 100 notifications a request). A message is sent when at least one device accepted it;
/// devices whose token the provider declares dead are removed, and a message none of whose devices is left fails with
/// <see cref="NoDevice"/>. When no device accepted it, a device held by its provider's bucket or breaker holds the
/// message, else a transient answer of any device retries the whole message.
/// </summary>
public sealed partial class PushSender(IEnumerable<IPushProvider> providers, PushDevices devices, ILogger<PushSender> logger) : IBatchChannelSender
{
    /// <summary>The reason of a push message that has no device to go to.</summary>
    public const string NoDevice = "COMMS_NO_DEVICE";

    private readonly Dictionary<string, IPushProvider> _providers = providers.ToDictionary(p => p.DeviceProvider, StringComparer.Ordinal);

    public string Channel => Core.Messages.Channel.Push;

    public async Task<SendOutcome> SendAsync(ClaimedMessage message, string leaseOwner, CancellationToken cancellationToken) =>
        (await SendBatchAsync([message], leaseOwner, cancellationToken))[0].Outcome;

    public async Task<IReadOnlyList<(ClaimedMessage Message, SendOutcome Outcome)>> SendBatchAsync(
        IReadOnlyList<ClaimedMessage> messages, string leaseOwner, CancellationToken cancellationToken)
    {
        var byRecipient = await devices.ForAsync(messages.Select(m => m.RecipientId).Distinct().ToList(), _providers.Keys, cancellationToken);
        var targets = messages
            .SelectMany(m => byRecipient[m.RecipientId].Where(d => d.TenantId == m.TenantId).Select(d => (d.Provider, Target: new PushTarget(m, d.Id, d.Token))))
            .ToList();

        var sends = targets.GroupBy(t => t.Provider, StringComparer.Ordinal).Select(async group =>
        {
            var list = group.Select(t => t.Target).ToList();
            var results = await _providers[group.Key].SendAsync(list, cancellationToken);
            return list.Zip(results, (target, result) => (Target: target, Result: result, Provider: group.Key));
        });
        var answered = (await Task.WhenAll(sends)).SelectMany(r => r).ToList();

        var dead = answered.Where(a => a.Result is PushResult.DeadToken).Select(a => a.Target).ToList();
        var pruned = await devices.PruneAsync(dead, cancellationToken);
        if (pruned > 0)
        {
            LogPruned(logger, pruned);
        }

        var resultsOf = answered.ToLookup(a => a.Target.Message.Id, a => (a.Result, a.Provider));
        return messages.Select(m => (m, Outcome(resultsOf[m.Id].ToList()))).ToList();
    }

    /// <summary>The message's outcome, recorded under the provider of the device whose answer decided it.</summary>
    private SendOutcome Outcome(List<(PushResult Result, string Provider)> answers)
    {
        var outcome = Outcome(answers.Select(a => a.Result).ToList(), out var decisive);
        return decisive is null ? outcome : outcome with { Provider = answers.First(a => ReferenceEquals(a.Result, decisive)).Provider };
    }

    private SendOutcome Outcome(List<PushResult> results, out PushResult? decisive)
    {
        decisive = results.FirstOrDefault();
        if (results.Count == 0)
        {
            return new SendOutcome.Permanent(
                $"{NoDevice}: the recipient has no push device of a configured provider ({string.Join(", ", _providers.Keys.Order(StringComparer.Ordinal))}).");
        }

        if (results.OfType<PushResult.Ok>().FirstOrDefault() is { } ok)
        {
            decisive = ok;
            return new SendOutcome.Sent(ok.Id);
        }

        // Held by the provider's bucket or breaker: the message waits (no attempt used) rather than fail or retry.
        if (results.OfType<PushResult.Held>().MaxBy(h => h.Until) is { } held)
        {
            decisive = held;
            return new SendOutcome.Held(held.Until, held.Reason);
        }

        var transients = results.OfType<PushResult.Transient>().ToList();
        if (transients.Count > 0)
        {
            decisive = transients[0];
            return new SendOutcome.Transient(transients[0].Error, transients.Max(t => t.RetryAfter));
        }

        if (results.OfType<PushResult.Permanent>().FirstOrDefault() is { } permanent)
        {
            decisive = permanent;
            return new SendOutcome.Permanent(permanent.Error);
        }

        var reasons = string.Join(", ", results.OfType<PushResult.DeadToken>().Select(d => d.Reason).Distinct(StringComparer.Ordinal));
        return new SendOutcome.Permanent($"{NoDevice}: every device of the recipient was unregistered ({reasons}); the devices were removed.");
    }

    [LoggerMessage(1, LogLevel.Information, "Removed {Count} push devices whose tokens the provider no longer knows")]
    private static partial void LogPruned(ILogger logger, int count);
}
