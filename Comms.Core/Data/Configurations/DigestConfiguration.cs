using Comms.Core.Digests;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class DigestConfiguration : IEntityTypeConfiguration<Digest>
{
    public void Configure(EntityTypeBuilder<Digest> builder)
    {
        builder.Property(d => d.Channel).HasMaxLength(16);
        builder.Property(d => d.DigestKey).HasMaxLength(500);
        builder.Property(d => d.EventName).HasMaxLength(128);
        builder.Property(d => d.Category).HasMaxLength(64);
        builder.Property(d => d.Status).HasMaxLength(16);
        builder.Property(d => d.LeaseOwner).HasMaxLength(128);

        // Exactly one open window per recipient × channel × key, however many routers race.
        builder.HasIndex(d => new { d.TenantId, d.RecipientId, d.Channel, d.DigestKey })
            .IsUnique().HasFilter("status = 'open'").HasDatabaseName("ux_digests_one_open");
        // The flush queue: windows still to flush (open, or claimed / waiting for another attempt).
        builder.HasIndex(d => d.FlushAt).HasFilter("status IN ('open', 'flushing')").HasDatabaseName("ix_digests_due_flush");
        // The windows being flushed (leased), so an idle flusher finds the earliest lease end in one index probe.
        builder.HasIndex(d => d.LeaseUntil).HasFilter("lease_until IS NOT NULL").HasDatabaseName("ix_digests_leased");
    }
}

internal sealed class DigestEntryConfiguration : IEntityTypeConfiguration<DigestEntry>
{
    public void Configure(EntityTypeBuilder<DigestEntry> builder)
    {
        builder.Property(e => e.Id).UseIdentityAlwaysColumn();
        builder.Property(e => e.Payload).HasColumnType("jsonb");
        builder.HasIndex(e => new { e.DigestId, e.EventId }).IsUnique();
        // A flush reads a window's entries in order, a page at a time.
        builder.HasIndex(e => new { e.DigestId, e.Id });
        builder.HasOne<Digest>().WithMany().HasForeignKey(e => e.DigestId).OnDelete(DeleteBehavior.Cascade);
    }
}
