namespace Comms.Core.Recipients;

/// <summary>A push device of a recipient.</summary>
public sealed class Device
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public Guid RecipientId { get; set; }

    /// <summary><c>fcm</c>, <c>apns</c> (sent through FCM), <c>expo</c> or <c>webpush</c>.</summary>
    public required string Provider { get; set; }

    public required string Token { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class DeviceProviders
{
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { "fcm", "apns", "expo", "webpush" };
}
