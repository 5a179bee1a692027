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

    /// <summary>
    /// The categories this tenant may send by SMS (the cost gate); SMS for any other category is blocked with
    /// <c>COMMS_SMS_NOT_ALLOWED</c> and the rule's next channel is tried. Default: <c>security</c> only.
    /// </summary>
    public string[] SmsCategories { get; set; } = [.. DefaultSmsCategories];

    /// <summary>The email provider of this tenant's messages (<c>smtp</c> or <c>sendgrid</c>); null = the deployment's default.</summary>
    public string? EmailProvider { get; set; }

    /// <summary>Whether links in this tenant's emails and in-app items are tracked (<c>/r/{token}</c>, SPEC S11). Default: on.</summary>
    public bool LinkTracking { get; set; } = true;
    /// <summary>
    /// Days the tenant's delivery records, renders, decisions and inbox items are kept (SPEC S11); null = the deployment's
    /// default, <c>Comms:Retention:DefaultDays</c>.
    /// </summary>
    public int? RetentionDays { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Bumped by database triggers in the same transaction as every write to the tenant's routing rules,
    /// templates and categories (and its own settings), so caches can check cheaply that they are current
    /// (see <c>TenantCatalog</c>) without trusting pub/sub alone.
    /// </summary>
    public long CatalogVersion { get; set; }

    /// <summary>The categories a new tenant may send by SMS: the critical category whose SMS is on by default.</summary>
    public static readonly IReadOnlyList<string> DefaultSmsCategories = ["security"];

    public bool AllowsOnSms(string category) => SmsCategories.Contains(category, StringComparer.Ordinal);
}
