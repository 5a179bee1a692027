namespace Comms.Core.Preferences;

/// <summary>A user's override of the default opt-in for one channel × category.</summary>
public sealed class Preference
{
    public required string TenantId { get; set; }
    public Guid RecipientId { get; set; }
    public required string Channel { get; set; }
    public required string Category { get; set; }
    public bool Enabled { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
