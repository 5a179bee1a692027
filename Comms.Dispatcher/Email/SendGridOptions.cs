using System.ComponentModel.DataAnnotations;

namespace Comms.Dispatcher.Email;

/// <summary>
/// <c>Comms:Providers:SendGrid</c>: the SendGrid v3 Mail Send API. Configured when <see cref="ApiKey"/> is set.
/// <see cref="RequestsPerSecond"/> is the account's request rate, enforced by the dispatcher's shared token bucket.
/// </summary>
public sealed class SendGridOptions
{
    public const string SectionName = "Comms:Providers:SendGrid";

    /// <summary>Sent as <c>Authorization: Bearer</c>. Never logged, never in an error.</summary>
    public string? ApiKey { get; set; }

    [Required]
    [Url]
    public string BaseUrl { get; set; } = "https://api.sendgrid.com";

    [Range(1, 100_000)]
    public int RequestsPerSecond { get; set; } = 100;

    /// <summary>Personalizations (recipients) per request; SendGrid takes at most 1,000.</summary>
    [Range(1, SendGridWire.MaxPersonalizations)]
    public int MaxPersonalizationsPerRequest { get; set; } = SendGridWire.MaxPersonalizations;

    /// <summary>Requests of one claimed batch in flight at once.</summary>
    [Range(1, 256)]
    public int MaxParallelRequests { get; set; } = 8;

    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => !string.IsNullOrWhiteSpace(ApiKey);
}
