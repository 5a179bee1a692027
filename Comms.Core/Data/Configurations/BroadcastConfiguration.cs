using Comms.Core.Broadcasts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class BroadcastConfiguration : IEntityTypeConfiguration<SysBroadcast>
{
    public void Configure(EntityTypeBuilder<SysBroadcast> builder)
    {
        builder.ToTable("sys_broadcasts");
        builder.Property(b => b.Title).HasMaxLength(BroadcastLimits.MaxTitleLength);
        builder.Property(b => b.Audience).HasColumnType("jsonb");
        builder.Property(b => b.Content).HasColumnType("jsonb");
        builder.Property(b => b.Status).HasMaxLength(16);
        builder.Property(b => b.BannerKind).HasMaxLength(16);
        builder.Property(b => b.BannerSeverity).HasMaxLength(16);
        builder.HasIndex(b => b.CreatedAt);
    }
}

internal sealed class BroadcastTestSendConfiguration : IEntityTypeConfiguration<SysBroadcastTestSend>
{
    public void Configure(EntityTypeBuilder<SysBroadcastTestSend> builder)
    {
        builder.ToTable("sys_broadcast_test_sends");
        builder.HasKey(t => new { t.BroadcastId, t.OperatorId });
        builder.HasOne<SysBroadcast>().WithMany().HasForeignKey(t => t.BroadcastId).OnDelete(DeleteBehavior.Cascade);
    }
}
