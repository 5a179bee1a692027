using Comms.Core.Routing;
using Comms.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class RoutingRuleConfiguration : IEntityTypeConfiguration<RoutingRule>
{
    public void Configure(EntityTypeBuilder<RoutingRule> builder)
    {
        builder.Property(r => r.EventName).HasMaxLength(128);
        builder.Property(r => r.TemplateName).HasMaxLength(128);
        builder.Property(r => r.Category).HasMaxLength(64);
        builder.Property(r => r.EscalationChannel).HasMaxLength(16);
        builder.Property(r => r.DedupeKey).HasMaxLength(500);
        builder.Property(r => r.DigestKey).HasMaxLength(500);
        builder.Property(r => r.ThreadKey).HasMaxLength(500);
        builder.Property(r => r.DigestTemplateName).HasMaxLength(128);
        builder.HasIndex(r => new { r.TenantId, r.EventName }).IsUnique();
        builder.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId);
    }
}
