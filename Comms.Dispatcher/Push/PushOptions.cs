using System.ComponentModel.DataAnnotations;

namespace Comms.Dispatcher.Push;

/// <summary>
/// <c>Comms:Providers:Expo</c>: the Expo push service. Sending through Expo is on when <see cref="Enabled"/> is true
/// (the access token is optional: Expo only asks for it when the project turned on "enhanced push security").
/// </summary>
public sealed class ExpoOptions
{
    public const string SectionName = "Comms:Providers:Expo";

    public bool Enabled { get; set; }

    [Required]
    [Url]
    public string BaseUrl { get; set; } = "https://exp.host";

    /// <summary>Sent as <c>Authorization: Bearer</c> when set. Never logged.</summary>
    public string? AccessToken { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>When the receipts of accepted notifications are first asked for (Expo: about 15 minutes later).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "12:00:00")]
    public TimeSpan ReceiptsAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the receipt checker looks for due tickets.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan ReceiptPollInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// <c>Comms:Providers:Fcm</c>: Firebase Cloud Messaging (HTTP v1). Sending through FCM is on when
/// <see cref="ServiceAccountJson"/> is set: the service account's JSON itself, or the path of its file.
/// </summary>
public sealed class FcmOptions
{
    public const string SectionName = "Comms:Providers:Fcm";

    /// <summary>The service-account key (inline JSON, or a file path). Its <c>token_uri</c> is where access tokens come from.</summary>
    public string? ServiceAccountJson { get; set; }

    /// <summary>The Firebase project; unset, the service account's <c>project_id</c>.</summary>
    public string? ProjectId { get; set; }

    [Required]
    [Url]
    public string BaseUrl { get; set; } = "https://fcm.googleapis.com";

    /// <summary>Requests in flight at once (FCM takes one token per request).</summary>
    [Range(1, 1024)]
    public int MaxParallelRequests { get; set; } = 32;

    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => !string.IsNullOrWhiteSpace(ServiceAccountJson);
}
