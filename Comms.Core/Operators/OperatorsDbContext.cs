using Comms.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Comms.Core.Operators;

/// <summary>
/// Operators and their grants, in <c>commsdb</c> beside <see cref="CommsDbContext"/> but a context of its own: Identity's
/// model stays out of the domain context, and its migrations (folder <c>Operators/Migrations</c>) have their own
/// history table, <see cref="MigrationsHistoryTable"/>. <see cref="CommsDatabase.MigrateAsync"/> applies both.
/// The model is configured here rather than by <c>IEntityTypeConfiguration</c> classes, which
/// <see cref="CommsDbContext"/> would pick up from the assembly.
/// </summary>
public sealed class OperatorsDbContext(DbContextOptions<OperatorsDbContext> options) : IdentityUserContext<Operator, Guid>(options)
{
    public const string MigrationsHistoryTable = "__ef_operators_migrations_history";

    public DbSet<OperatorGrant> Grants => Set<OperatorGrant>();

    public static OperatorsDbContext Create(NpgsqlDataSource dataSource)
    {
        var options = new DbContextOptionsBuilder<OperatorsDbContext>();
        options.UseCommsDatabase(dataSource, MigrationsHistoryTable);
        return new OperatorsDbContext(options.Options);
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<Operator>(entity =>
        {
            entity.ToTable("operators");
            entity.Property(o => o.DisplayName).HasMaxLength(200);
            entity.HasMany(o => o.Grants).WithOne().HasForeignKey(g => g.OperatorId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<IdentityUserClaim<Guid>>().ToTable("operator_claims");
        builder.Entity<IdentityUserLogin<Guid>>().ToTable("operator_logins");
        builder.Entity<IdentityUserToken<Guid>>().ToTable("operator_tokens");
        builder.Entity<OperatorGrant>(entity =>
        {
            entity.ToTable("operator_grants", table => table.HasCheckConstraint("ck_operator_grants_scope",
                $"(role = '{OperatorRoles.SysOperator}' AND tenant_id IS NULL) OR (role IN ('{OperatorRoles.CommsEditor}', '{OperatorRoles.CommsApprover}', '{OperatorRoles.CommsViewer}') AND tenant_id IS NOT NULL)"));
            entity.HasKey(g => g.Id);
            entity.Property(g => g.TenantId).HasMaxLength(64);
            entity.Property(g => g.Role).HasMaxLength(32);
            entity.HasIndex(g => new { g.OperatorId, g.TenantId, g.Role }).IsUnique().AreNullsDistinct(false);
            entity.HasIndex(g => g.TenantId);
        });
    }
}
