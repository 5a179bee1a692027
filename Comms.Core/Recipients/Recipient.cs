namespace Comms.Core.Recipients;

/// <summary>A person in a tenant, known by the host product's external id.</summary>
public sealed class Recipient
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required string ExternalId { get; set; }
    public string? Name { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string? Locale { get; set; }
    public string? TimeZone { get; set; }
    public string[] Roles { get; set; } = [];

    /// <summary>Custom attributes as a JSON object (jsonb).</summary>
    public string Attributes { get; set; } = "{}";

    public bool QuietHoursEnabled { get; set; } = true;
    public TimeOnly QuietHoursStart { get; set; } = QuietHoursDefaults.Start;
    public TimeOnly QuietHoursEnd { get; set; } = QuietHoursDefaults.End;

    /// <summary>Categories that may reach the user even inside quiet hours.</summary>
    public string[] QuietHoursExceptions { get; set; } = [];

    /// <summary>Channels on which the user does not want direct messages from operators (SPEC S6 <c>dm_muted</c>).</summary>
    public string[] DmMutedChannels { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>
    /// When the person was erased (SPEC S11, <c>POST /v1/recipients/{externalId}/erase</c>): the row stays as a tombstone
    /// (<see cref="ExternalId"/> replaced by <c>Privacy.ErasedIds.Tombstone</c>, personal fields cleared) so that delivery
    /// records keep their counts; null for a live recipient.
    /// </summary>
    public DateTimeOffset? ErasedAt { get; set; }
}

public static class QuietHoursDefaults
{
    public static readonly TimeOnly Start = new(21, 0);
    public static readonly TimeOnly End = new(8, 0);
}
