namespace Comms.Core.Preferences;

/// <summary>A tenant's own notification category (the built-in ones live in <see cref="Categories"/>).</summary>
public sealed class Category
{
    public required string TenantId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public bool Critical { get; set; }

    /// <summary>Channels this category is opted into by default.</summary>
    public string[] DefaultChannels { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }
}
