using Comms.Core.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> builder)
    {
        builder.Property(m => m.Channel).HasMaxLength(16);
        builder.Property(m => m.Category).HasMaxLength(64);
        builder.Property(m => m.TemplateName).HasMaxLength(128);
        builder.Property(m => m.Locale).HasMaxLength(35);
        builder.Property(m => m.Variant).HasMaxLength(64);
        builder.Property(m => m.CauseRef).HasMaxLength(300);
        builder.Property(m => m.Address).HasMaxLength(4096);
        builder.Property(m => m.Status).HasMaxLength(16);
        builder.Property(m => m.LeaseOwner).HasMaxLength(128);
        builder.Property(m => m.ProviderMessageId).HasMaxLength(256);
        builder.Property(m => m.Provider).HasMaxLength(32);
        builder.Property(m => m.TraceParent).HasMaxLength(128);
        builder.Property(m => m.UnsubscribeUrl).HasMaxLength(2048);

        // Partitioned by month on created_at (see the PartitionedDeliveryRecords migration): the database's primary key is
        // (id, created_at), EF addresses rows by id alone. SPEC S2 idempotency (a repeat of the same template version, user,
        // cause and channel never sends twice) is kept by MessageKey, since a unique index here would have to include created_at.

        // The send queue: only queued rows are indexed, by channel and due time.
        builder.HasIndex(m => new { m.Channel, m.DueAt }).HasFilter("status = 'queued'").HasDatabaseName("ix_messages_queued_due");
        // The messages in flight (leased), so an idle sender finds the earliest lease end in one index probe.
        builder.HasIndex(m => new { m.Channel, m.LeaseUntil }).HasFilter("status = 'queued' AND lease_until IS NOT NULL")
            .HasDatabaseName("ix_messages_leased");
        builder.HasIndex(m => m.EventId);
        // Provider feedback finds a message by the provider's id for it (a Twilio SID).
        builder.HasIndex(m => m.ProviderMessageId).HasFilter("provider_message_id IS NOT NULL");
        // The messages API lists a tenant's messages newest first (filters on status, channel...).
        builder.HasIndex(m => new { m.TenantId, m.Id });
        builder.HasIndex(m => new { m.RecipientId, m.CreatedAt });
    }
}
