using Comms.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Operators;

/// <summary>
/// The development operators (applied with <see cref="DevelopmentSeed"/>): <c>ops@example.test</c> and
/// <c>ops2@example.test</c> (SysOperator) and <c>approver@example.test</c> (CommsApprover of <c>demo</c>), all with the
/// password in <c>Comms:Seed:OperatorPassword</c> (default <see cref="DefaultPassword"/>). Safe to apply again: it only
/// adds what is missing and never changes a password.
/// </summary>
public static class OperatorSeed
{
    public const string DefaultPassword = "Operator-Passw0rd!";
    public const string PasswordSetting = "Comms:Seed:OperatorPassword";

    public static readonly IReadOnlyList<(string Email, string Name, string Role, string? TenantId)> Operators =
    [
        ("ops@example.test", "Ops", OperatorRoles.SysOperator, null),
        ("ops2@example.test", "Ops Two", OperatorRoles.SysOperator, null),
        ("approver@example.test", "Demo Approver", OperatorRoles.CommsApprover, DevelopmentSeed.TenantId),
    ];

    public static async Task ApplyAsync(UserManager<Operator> users, OperatorsDbContext db, string password, TimeProvider time,
        CancellationToken cancellationToken = default)
    {
        foreach (var (email, name, role, tenantId) in Operators)
        {
            await EnsureAsync(users, db, email, name, password, role, tenantId, time, cancellationToken);
        }
    }

    /// <summary>Creates the operator unless it exists, and grants the role unless granted.</summary>
    public static async Task<Operator> EnsureAsync(UserManager<Operator> users, OperatorsDbContext db, string email, string name, string password,
        string role, string? tenantId, TimeProvider time, CancellationToken cancellationToken = default)
    {
        if (!OperatorRoles.IsValid(role, tenantId))
        {
            throw new ArgumentException($"'{role}' cannot be granted {(tenantId is null ? "without a tenant" : "for a tenant")}.", nameof(role));
        }

        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new Operator { Id = Guid.CreateVersion7(), UserName = email, Email = email, EmailConfirmed = true, DisplayName = name, CreatedAt = time.GetUtcNow() };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException($"Operator '{email}' could not be created: {string.Join(" ", created.Errors.Select(e => e.Description))}");
            }
        }

        if (!await db.Grants.AnyAsync(g => g.OperatorId == user.Id && g.TenantId == tenantId && g.Role == role, cancellationToken))
        {
            db.Grants.Add(new OperatorGrant { Id = Guid.CreateVersion7(), OperatorId = user.Id, TenantId = tenantId, Role = role, CreatedAt = time.GetUtcNow() });
            await db.SaveChangesAsync(cancellationToken);
        }

        return user;
    }
}
