using Microsoft.AspNetCore.Identity;

namespace Comms.Core.Operators;

/// <summary>
/// A person who runs Comms (SPEC S1 "Operator"): platform staff or a tenant's own admin. An ASP.NET Core Identity
/// user: the email is the user name, the password is hashed by Identity's hasher, lockout and the authenticator
/// (TOTP) key are Identity's. What they may do comes from <see cref="OperatorGrant"/> rows.
/// </summary>
public sealed class Operator : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public List<OperatorGrant> Grants { get; set; } = [];
}

/// <summary>
/// One role of an operator: <see cref="OperatorRoles.SysOperator"/> for all tenants (<see cref="TenantId"/> null), or
/// one of the Comms roles for one tenant, so that a tenant's own admins run their tenant and see nothing else.
/// </summary>
public sealed class OperatorGrant
{
    public Guid Id { get; set; }
    public Guid OperatorId { get; set; }
    public string? TenantId { get; set; }
    public string Role { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

public static class OperatorRoles
{
    /// <summary>Platform staff: every tenant and the <c>/sys/*</c> API. Granted without a tenant.</summary>
    public const string SysOperator = "SysOperator";

    /// <summary>Writes a tenant's templates, rules and drafts. Granted per tenant.</summary>
    public const string CommsEditor = "CommsEditor";

    /// <summary>Approves publishes of critical templates (the second operator). Granted per tenant.</summary>
    public const string CommsApprover = "CommsApprover";

    /// <summary>Reads a tenant's configuration and delivery log. Granted per tenant.</summary>
    public const string CommsViewer = "CommsViewer";

    public static readonly IReadOnlySet<string> TenantScoped = new HashSet<string>(StringComparer.Ordinal) { CommsEditor, CommsApprover, CommsViewer };

    /// <summary>A grant is well formed: SysOperator without a tenant, the others with one.</summary>
    public static bool IsValid(string role, string? tenantId) =>
        role == SysOperator ? tenantId is null : TenantScoped.Contains(role) && !string.IsNullOrEmpty(tenantId);
}
