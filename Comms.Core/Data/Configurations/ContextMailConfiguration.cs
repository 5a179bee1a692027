using Comms.Core.ContextMail;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class ContextMailConfiguration : IEntityTypeConfiguration<ContextMailMessage>
{
    public void Configure(EntityTypeBuilder<ContextMailMessage> builder)
    {
        builder.ToTable("context_mail");
        builder.Property(m => m.TenantId).HasMaxLength(64);
        builder.Property(m => m.Kind).HasMaxLength(16);
        builder.Property(m => m.SenderKind).HasMaxLength(16);
        builder.Property(m => m.SenderExternalId).HasMaxLength(256);
        builder.Property(m => m.SenderName).HasMaxLength(256);
        builder.Property(m => m.Scope).HasMaxLength(32);
        builder.Property(m => m.SystemEvent).HasMaxLength(64);
        builder.Property(m => m.Language).HasMaxLength(35);
        builder.HasIndex(m => new { m.TenantId, m.ContextId, m.CreatedAt });
        builder.HasOne<Contexts.Context>().WithMany().HasForeignKey(m => m.ContextId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ContextMailRecipientConfiguration : IEntityTypeConfiguration<ContextMailRecipient>
{
    public void Configure(EntityTypeBuilder<ContextMailRecipient> builder)
    {
        builder.ToTable("context_mail_recipients");
        builder.HasKey(r => new { r.MailId, r.ExternalId });
        builder.Property(r => r.TenantId).HasMaxLength(64);
        builder.Property(r => r.ExternalId).HasMaxLength(256);
        builder.Property(r => r.NameSnapshot).HasMaxLength(256);
        builder.Property(r => r.Kind).HasMaxLength(16);
        builder.HasOne<ContextMailMessage>().WithMany().HasForeignKey(r => r.MailId).OnDelete(DeleteBehavior.Cascade);
        // A user's mail in a context, newest first (the list's cursor is created_at, mail_id).
        builder.HasIndex(r => new { r.TenantId, r.ExternalId, r.ContextId, r.CreatedAt, r.MailId })
            .IsDescending(false, false, false, true, true)
            .HasFilter("deleted_at IS NULL")
            .HasDatabaseName("ix_context_mail_recipients_list");
        // The badges: a user's unread mail per context, read from the index alone.
        builder.HasIndex(r => new { r.TenantId, r.ExternalId, r.ContextId })
            .IncludeProperties(r => r.Kind)
            .HasFilter("read_at IS NULL AND deleted_at IS NULL")
            .HasDatabaseName("ix_context_mail_recipients_unread");
    }
}

internal sealed class ContextMailTranslationConfiguration : IEntityTypeConfiguration<ContextMailTranslation>
{
    public void Configure(EntityTypeBuilder<ContextMailTranslation> builder)
    {
        builder.ToTable("context_mail_translations");
        builder.HasKey(t => new { t.MailId, t.Language });
        builder.Property(t => t.Language).HasMaxLength(35);
        builder.Property(t => t.Provider).HasMaxLength(32);
        builder.HasOne<ContextMailMessage>().WithMany().HasForeignKey(t => t.MailId).OnDelete(DeleteBehavior.Cascade);
    }
}
