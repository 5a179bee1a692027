using System.Security.Claims;
using Comms.Core.Operators;

namespace Comms.Web.Admin;

/// <summary>
/// The operator signed in to the console, read from the cookie's claims: a <see cref="OperatorRoles.SysOperator"/> sees
/// every tenant; anyone else sees exactly the tenants they hold a grant in (<see cref="Tenants"/>), and nothing else.
/// </summary>
public sealed record ConsoleOperator(Guid Id, string Name, bool IsSysOperator, IReadOnlyList<(string TenantId, string Role)> Grants)
{
    /// <summary>The audit log's actor name of an operator (the same as the <c>/sys</c> API's).</summary>
    public string Actor => "operator:" + Id;

    /// <summary>The tenants this operator may see; null = all of them.</summary>
    public IReadOnlyList<string>? Tenants => IsSysOperator ? null : Grants.Select(g => g.TenantId).Distinct().Order(StringComparer.Ordinal).ToList();

    public static ConsoleOperator From(ClaimsPrincipal principal)
    {
        var id = Guid.Parse(principal.FindFirstValue(OperatorConsoleAuth.OperatorIdClaim)!);
        var grants = principal.FindAll(OperatorConsoleAuth.TenantRoleClaim)
            .Select(c => c.Value.Split(':', 2)).Where(p => p.Length == 2).Select(p => (p[0], p[1])).ToList();
        return new ConsoleOperator(id, principal.Identity?.Name ?? "", principal.IsInRole(OperatorRoles.SysOperator), grants);
    }
}
