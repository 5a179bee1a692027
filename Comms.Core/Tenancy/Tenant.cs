namespace Comms.Core.Tenancy;

/// <summary>A customer organisation. Its id is a short slug (e.g. <c>demo</c>) used in tokens and URLs.</summary>
public sealed class Tenant
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string DefaultLocale { get; set; } = "en-US";
    public string DefaultTimeZone { get; set; } = "UTC";

    /// <summary>Link schemes beyond https/http that rendered messages may carry (e.g. <c>myapp</c>), see <c>LinkPolicy</c>.</summary>
    public string[] AllowedLinkSchemes { get; set; } = [];

    /// <summary>The rate-limit plan (a name under <c>Comms:RateLimits:Plans</c>); null = the default limits.</summary>
    public string? Plan { get; set; }

    /// <summary>The email provider of this tenant's messages (<c>smtp</c> or <c>sendgrid</c>); null = the deployment's default.</summary>
    public string? EmailProvider { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Bumped by database triggers in the same transaction as every write to the tenant's routing rules,
    /// templates and categories (and its own settings), so caches can check cheaply that they are current
    /// (see <c>TenantCatalog</c>) without trusting pub/sub alone.
    /// </summary>
    public long CatalogVersion { get; set; }
}
