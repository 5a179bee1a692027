namespace Comms.Core.Tenancy;

/// <summary>
/// A tenant-scoped key for service callers. Only a SHA-256 hash of the secret is stored; the
/// <see cref="Prefix"/> (e.g. <c>cms_k3f9a2b1</c>) is kept in clear so the key is recognisable in logs.
/// </summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required string Name { get; set; }
    public required string Prefix { get; set; }
    public required string KeyHash { get; set; }
    public string[] Roles { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>Roles an API key may carry.</summary>
public static class ApiKeyRoles
{
    public const string Admin = "admin";
    public const string Editor = "editor";
    public const string Approver = "approver";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Admin, Editor, Approver };
}
