namespace Comms.Core.Webhooks;

/// <summary>
/// A URL a tenant registered to receive its webhook-channel messages (SPEC S4), signed per Standard Webhooks
/// with the endpoint's secret. The secret is kept encrypted (<see cref="ProtectedSecret"/>, sealed like HS256
/// signing-key secrets by <see cref="Auth.SigningSecretProtector"/>) and shown only when created or rotated.
/// </summary>
public sealed class WebhookEndpoint
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required string Url { get; set; }
    public string? Description { get; set; }

    /// <summary>The event names whose messages this endpoint receives; <c>*</c> receives every event.</summary>
    public string[] EventTypes { get; set; } = [];

    public bool Enabled { get; set; } = true;

    /// <summary>The <c>whsec_...</c> secret, encrypted with the platform's key-encryption key.</summary>
    public required string ProtectedSecret { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
