using Comms.Core.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class MessageKeyConfiguration : IEntityTypeConfiguration<MessageKey>
{
    public void Configure(EntityTypeBuilder<MessageKey> builder)
    {
        builder.HasKey(k => new { k.TemplateName, k.TemplateVersion, k.RecipientId, k.CauseRef, k.Channel });
        builder.Property(k => k.TemplateName).HasMaxLength(128);
        builder.Property(k => k.CauseRef).HasMaxLength(300);
        builder.Property(k => k.Channel).HasMaxLength(16);
        // Retention deletes the keys of a tenant's expired messages, oldest first.
        builder.HasIndex(k => new { k.TenantId, k.CreatedAt });
    }
}
