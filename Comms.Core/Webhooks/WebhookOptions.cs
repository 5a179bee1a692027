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
}
