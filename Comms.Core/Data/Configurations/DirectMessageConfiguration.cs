using Comms.Core.DirectMessages;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class DirectMessageConfiguration : IEntityTypeConfiguration<DirectMessageRecord>
{
    public void Configure(EntityTypeBuilder<DirectMessageRecord> builder)
    {
        builder.ToTable("sys_direct_messages");
        builder.Property(d => d.Kind).HasMaxLength(16);
        builder.Property(d => d.ContentHash).HasMaxLength(64);
        // The test-send gate and the daily limit: one operator's messages to one user, newest last.
        builder.HasIndex(d => new { d.OperatorId, d.RecipientId, d.Kind, d.SentAt });
        builder.HasIndex(d => d.TenantId);
    }
}
