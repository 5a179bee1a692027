using Comms.Core.Operators;

namespace Comms.Web.Admin;

/// <summary>What an operator may do with one tenant in the console: see it at all, and change it.</summary>
public static class ConsoleAccess
{
    /// <summary>A SysOperator sees every tenant; others only the tenants they hold a grant in.</summary>
    public static bool CanSee(this ConsoleOperator op, string tenantId) =>
        op.IsSysOperator || op.Grants.Any(g => g.TenantId == tenantId);

    /// <summary>Keys and configuration: a SysOperator, or the tenant's own CommsEditor (viewers and approvers read only).</summary>
    public static bool CanManage(this ConsoleOperator op, string tenantId) =>
        op.IsSysOperator || op.Grants.Any(g => g.TenantId == tenantId && g.Role == OperatorRoles.CommsEditor);
}
