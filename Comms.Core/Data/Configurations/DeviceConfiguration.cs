using Comms.Core.Recipients;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class DeviceConfiguration : IEntityTypeConfiguration<Device>
{
    public void Configure(EntityTypeBuilder<Device> builder)
    {
        builder.Property(d => d.Provider).HasMaxLength(16);
        builder.Property(d => d.Token).HasMaxLength(4096);
        builder.HasIndex(d => new { d.TenantId, d.Provider, d.Token }).IsUnique();
        builder.HasIndex(d => d.RecipientId);
        builder.HasOne<Recipient>().WithMany().HasForeignKey(d => d.RecipientId).OnDelete(DeleteBehavior.Cascade);
    }
}
