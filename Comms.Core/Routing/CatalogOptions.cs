using System.ComponentModel.DataAnnotations;

namespace Comms.Core.Routing;

/// <summary><c>Comms:Catalog</c>: how each process caches tenants' routing configuration (<see cref="TenantCatalog"/>).</summary>
public sealed class CatalogOptions
{
    public const string SectionName = "Comms:Catalog";

    /// <summary>
    /// How often a cached tenant's catalog version is compared with the database (one primary-key read): the longest
    /// a process can route with a stale rule or template when a <c>catalog-changed</c> notification is lost.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan VersionCheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>At most this many tenants' snapshots are cached (least recently used ones are dropped beyond it).</summary>
    [Range(1, 1_000_000)]
    public int CacheSize { get; set; } = 10_000;

    /// <summary>A snapshot not used for this long is dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan IdleExpiry { get; set; } = TimeSpan.FromMinutes(10);
}
