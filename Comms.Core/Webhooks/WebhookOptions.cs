using System.ComponentModel.DataAnnotations;

namespace Comms.Core.Webhooks;

/// <summary><c>Comms:Webhooks</c>: the platform's rules for tenants' webhook targets and deliveries.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Comms:Webhooks";

    /// <summary>
    /// Allows targets on loopback, private, link-local, unique-local and multicast addresses, and plain http.
    /// For local testing only: with it a tenant can make the platform call into its own network (SSRF).
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>How long one delivery may take (connect, send, answer) before it counts as a transient failure.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How many times a status webhook delivery is tried before it is given up (<c>failed</c>).</summary>
    [Range(1, 30)]
    public int StatusMaxAttempts { get; set; } = 8;

    /// <summary>The first retry's delay of a status webhook delivery; each next one doubles (with jitter), up to 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan StatusRetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the dispatcher looks for status webhook deliveries that are due.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan StatusPollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
