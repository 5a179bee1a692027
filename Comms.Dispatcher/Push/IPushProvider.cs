using Comms.Core.Messages;

namespace Comms.Dispatcher.Push;

/// <summary>One push notification to one device.</summary>
public sealed record PushTarget(ClaimedMessage Message, Guid DeviceId, string Token);

/// <summary>What a push provider said about one <see cref="PushTarget"/>.</summary>
public abstract record PushResult
{
    /// <summary>Accepted; <see cref="Id"/> is the provider's ticket or message name.</summary>
    public sealed record Ok(string? Id) : PushResult;

    /// <summary>The token is dead (uninstalled, expired): the device is removed.</summary>
    public sealed record DeadToken(string Reason) : PushResult;

    /// <summary>Worth another attempt (429, 5xx, timeouts).</summary>
    public sealed record Transient(string Error, TimeSpan? RetryAfter = null) : PushResult;

    /// <summary>Not sent, not a failure: the provider's token bucket or circuit breaker holds it until <see cref="Until"/>.</summary>
    public sealed record Held(DateTimeOffset Until, string Reason) : PushResult;

    /// <summary>Will not succeed as it is (rejected payload, credentials of the deployment).</summary>
    public sealed record Permanent(string Error) : PushResult;
}

/// <summary>A push service (Expo, FCM) that delivers to the devices registered with its provider name.</summary>
public interface IPushProvider
{
    /// <summary>The <c>provider</c> of the devices this service sends to.</summary>
    string DeviceProvider { get; }

    /// <summary>Sends every target; returns one result per target, in the same order. Never throws but for cancellation.</summary>
    Task<IReadOnlyList<PushResult>> SendAsync(IReadOnlyList<PushTarget> targets, CancellationToken cancellationToken);
}
