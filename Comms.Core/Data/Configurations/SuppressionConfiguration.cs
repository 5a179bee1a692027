using Comms.Core.Preferences;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class SuppressionConfiguration : IEntityTypeConfiguration<Suppression>
{
    public void Configure(EntityTypeBuilder<Suppression> builder)
    {
        builder.HasKey(s => new { s.TenantId, s.Channel, s.AddressHash });
        builder.Property(s => s.Channel).HasMaxLength(16);
        builder.Property(s => s.AddressHash).HasMaxLength(64);
        builder.Property(s => s.Reason).HasMaxLength(200);
    }
}
