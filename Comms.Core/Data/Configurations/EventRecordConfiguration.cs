using Comms.Core.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class EventRecordConfiguration : IEntityTypeConfiguration<EventRecord>
{
    public void Configure(EntityTypeBuilder<EventRecord> builder)
    {
        builder.ToTable("events");
        builder.Property(e => e.Name).HasMaxLength(128);
        builder.Property(e => e.Category).HasMaxLength(64);
        builder.Property(e => e.Priority).HasMaxLength(16);
        builder.Property(e => e.CauseRef).HasMaxLength(256);
        builder.Property(e => e.Actor).HasMaxLength(200);
        builder.Property(e => e.Payload).HasColumnType("jsonb");
        builder.Property(e => e.Audience).HasColumnType("jsonb");
        builder.Property(e => e.Locale).HasMaxLength(35);
        builder.Property(e => e.AcceptLanguage).HasMaxLength(256);
        builder.Property(e => e.Status).HasMaxLength(16);
        builder.Property(e => e.LeaseOwner).HasMaxLength(128);
        builder.Property(e => e.TraceParent).HasMaxLength(128);

        // The routing queue: only pending rows are indexed, in due order.
        builder.HasIndex(e => e.DueAt).HasFilter("status = 'pending'").HasDatabaseName("ix_events_pending_due");
        // The events in flight (leased), so an idle router finds the earliest lease end in one index probe.
        builder.HasIndex(e => e.LeaseUntil).HasFilter("status = 'pending' AND lease_until IS NOT NULL").HasDatabaseName("ix_events_leased");
        builder.HasIndex(e => new { e.TenantId, e.CreatedAt });
    }
}
