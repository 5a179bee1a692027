using Comms.Core.Preferences;
using Comms.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class CategoryConfiguration : IEntityTypeConfiguration<Category>
{
    public void Configure(EntityTypeBuilder<Category> builder)
    {
        builder.HasKey(c => new { c.TenantId, c.Name });
        builder.Property(c => c.Name).HasMaxLength(64);
        builder.Property(c => c.Description).HasMaxLength(500);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId);
    }
}
