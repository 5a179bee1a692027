using Comms.Core.Messages;

namespace Comms.Dispatcher.Sending;

/// <summary>Sends claimed messages of one channel through one provider.</summary>
public interface IChannelSender
{
    string Channel { get; }

    /// <summary>
    /// The provider an attempt is recorded under when its outcome names none (<see cref="SendOutcome.Provider"/>):
    /// <c>twilio</c>, <c>webhook</c>, the deployment's email provider...
    /// </summary>
    string Provider => Channel;

    /// <summary>
    /// Sends one message. A sender that records the outcome itself (<see cref="SendOutcome.Recorded"/>) must fence its
    /// write on <see cref="ClaimedMessage.Claim"/>; <paramref name="leaseOwner"/> is this replica's name, for logs.
    /// An exception is a transient failure of this message alone.
    /// </summary>
    Task<SendOutcome> SendAsync(ClaimedMessage message, string leaseOwner, CancellationToken cancellationToken);
}

/// <summary>What became of one send attempt.</summary>
public abstract record SendOutcome
{
    /// <summary>The provider that handled the attempt, when the sender chooses one per message (email, push); else the sender's own.</summary>
    public string? Provider { get; init; }

    /// <summary>The provider's status code (HTTP status, SMTP reply code), when it answered.</summary>
    public int? StatusCode { get; init; }

    /// <summary>
    /// A short summary of the provider's answer for the attempt's record, made of fixed words and codes only
    /// (e.g. <c>503 ServiceUnavailable</c>) — never the provider's own text or a body, which may quote an address.
    /// </summary>
    public string? Response { get; init; }

    /// <summary>The attempt's summary of an HTTP answer: its code and the status's name.</summary>
    public static string Http(System.Net.HttpStatusCode status) => $"{(int)status} {status}";

    /// <summary>The provider accepted the message.</summary>
    public sealed record Sent(string? ProviderMessageId) : SendOutcome;

    /// <summary>The sender already recorded the final state itself, in its own transaction.</summary>
    public sealed record Recorded : SendOutcome;

    /// <summary>Worth another attempt (timeouts, 429, 5xx), optionally not before <see cref="RetryAfter"/>.</summary>
    public sealed record Transient(string Error, TimeSpan? RetryAfter = null) : SendOutcome
    {
        /// <summary>Our own database was away: retried without using up the message's attempts.</summary>
        public bool Infrastructure { get; init; }
    }

    /// <summary>Will never succeed as it is (bad address, rejected content).</summary>
    public sealed record Permanent(string Error) : SendOutcome;

    /// <summary>
    /// Not sent, and not a failure: the message waits until <see cref="Until"/> (a token bucket had no slot soon
    /// enough, or the provider's circuit breaker is open). It goes back to <c>queued</c> due then, and the claim's
    /// attempt is given back. <see cref="RecordReason"/>: <see cref="Reason"/> is written as the message's
    /// <c>lastError</c> (a tenant's plan limit, <c>COMMS_RATE_LIMITED</c>); provider waits record nothing.
    /// </summary>
    public sealed record Held(DateTimeOffset Until, string Reason) : SendOutcome
    {
        public bool RecordReason { get; init; }
    }

    /// <summary>Another dispatcher took the message over (its lease ran out); that one reports the outcome.</summary>
    public sealed record LeaseLost : SendOutcome;
}
