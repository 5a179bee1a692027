namespace Comms.Core.Tenancy;

/// <summary>A customer organisation. Its id is a short slug (e.g. <c>demo</c>) used in tokens and URLs.</summary>
public sealed class Tenant
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string DefaultLocale { get; set; } = "en-US";
    public string DefaultTimeZone { get; set; } = "UTC";
    public DateTimeOffset CreatedAt { get; set; }
}
