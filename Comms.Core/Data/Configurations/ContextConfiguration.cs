using Comms.Core.Contexts;
using Comms.Core.Recipients;
using Comms.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class ContextConfiguration : IEntityTypeConfiguration<Context>
{
    public void Configure(EntityTypeBuilder<Context> builder)
    {
        builder.Property(c => c.Key).HasMaxLength(ContextLimits.MaxKeyLength);
        builder.Property(c => c.Kind).HasMaxLength(64);
        builder.Property(c => c.Name).HasMaxLength(ContextLimits.MaxNameLength);
        builder.Property(c => c.OwnerExternalId).HasMaxLength(RecipientFormats.MaxExternalIdLength);
        builder.Property(c => c.TimeZone).HasMaxLength(64);
        builder.Property(c => c.Venue).HasMaxLength(ContextLimits.MaxVenueLength);
        builder.Property(c => c.Attributes).HasColumnType("jsonb");
        builder.Property(c => c.Status).HasMaxLength(16);
        builder.HasIndex(c => new { c.TenantId, c.Key }).IsUnique();
        builder.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Cascade);
        // No foreign key: deleting (or erasing) the owner recipient must not fail; the context keeps the id.
        builder.HasIndex(c => c.OwnerRecipientId);
    }
}

internal sealed class ContextMemberConfiguration : IEntityTypeConfiguration<ContextMember>
{
    public void Configure(EntityTypeBuilder<ContextMember> builder)
    {
        builder.Property(m => m.ExternalId).HasMaxLength(RecipientFormats.MaxExternalIdLength);
        builder.Property(m => m.Status).HasMaxLength(16);
        builder.Property(m => m.DisplayName).HasMaxLength(ContextLimits.MaxNameLength);
        builder.HasIndex(m => new { m.ContextId, m.RecipientId }).IsUnique();
        // Audience resolution and recipient counts filter a context's members by status.
        builder.HasIndex(m => new { m.ContextId, m.Status });
        builder.HasIndex(m => m.RecipientId);
        builder.HasOne<Context>().WithMany().HasForeignKey(m => m.ContextId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Recipient>().WithMany().HasForeignKey(m => m.RecipientId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ScheduledMessageConfiguration : IEntityTypeConfiguration<ScheduledMessage>
{
    public void Configure(EntityTypeBuilder<ScheduledMessage> builder)
    {
        builder.Property(m => m.Kind).HasMaxLength(32);
        builder.Property(m => m.Audience).HasMaxLength(16);
        builder.Property(m => m.Subject).HasMaxLength(ContextLimits.MaxSubjectLength);
        builder.Property(m => m.Body).HasMaxLength(ContextLimits.MaxBodyLength);
        builder.Property(m => m.Status).HasMaxLength(16);
        builder.Property(m => m.LeaseOwner).HasMaxLength(200);
        builder.Property(m => m.Error).HasMaxLength(1000);
        // The scheduler's poll: due rows only.
        builder.HasIndex(m => m.SendAt).HasFilter("status = 'scheduled'").HasDatabaseName("ix_scheduled_messages_due");
        builder.HasIndex(m => m.LeaseUntil).HasFilter("status = 'sending'").HasDatabaseName("ix_scheduled_messages_sending");
        builder.HasIndex(m => new { m.ContextId, m.CreatedAt });
        builder.HasOne<Context>().WithMany().HasForeignKey(m => m.ContextId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ScheduledMessageDeliveryConfiguration : IEntityTypeConfiguration<ScheduledMessageDelivery>
{
    public void Configure(EntityTypeBuilder<ScheduledMessageDelivery> builder)
    {
        builder.Property(d => d.ExternalId).HasMaxLength(RecipientFormats.MaxExternalIdLength);
        builder.Property(d => d.DisplayName).HasMaxLength(ContextLimits.MaxNameLength);
        builder.Property(d => d.Status).HasMaxLength(16);
        builder.Property(d => d.Error).HasMaxLength(1000);
        // One outcome per recipient: a re-claimed message never hands a recipient to the pipeline twice.
        builder.HasIndex(d => new { d.ScheduledMessageId, d.RecipientId }).IsUnique();
        builder.HasOne<ScheduledMessage>().WithMany().HasForeignKey(d => d.ScheduledMessageId).OnDelete(DeleteBehavior.Cascade);
    }
}
