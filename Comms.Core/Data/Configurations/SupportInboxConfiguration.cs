using Comms.Core.SupportInbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class SupportInboxThreadConfiguration : IEntityTypeConfiguration<SysSupportInboxThread>
{
    public void Configure(EntityTypeBuilder<SysSupportInboxThread> builder)
    {
        builder.ToTable("sys_support_inbox_threads");
        builder.Property(t => t.Subject).HasMaxLength(998);
        builder.Property(t => t.Counterpart).HasMaxLength(320);
        builder.Property(t => t.Status).HasMaxLength(16);
        builder.Property(t => t.ReplyToken).HasMaxLength(64);
        builder.Property(t => t.RelatedTo).HasMaxLength(300);
        builder.HasIndex(t => t.ReplyToken).IsUnique();
        // The list: by status, newest activity first.
        builder.HasIndex(t => new { t.Status, t.LastActivityAt });
        builder.HasIndex(t => t.RelatedTo).HasFilter("related_to IS NOT NULL");
        builder.HasMany(t => t.Messages).WithOne().HasForeignKey(m => m.ThreadId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SupportInboxMessageConfiguration : IEntityTypeConfiguration<SysSupportInboxMessage>
{
    public void Configure(EntityTypeBuilder<SysSupportInboxMessage> builder)
    {
        builder.ToTable("sys_support_inbox_messages");
        builder.Property(m => m.Direction).HasMaxLength(16);
        builder.Property(m => m.FromAddress).HasMaxLength(320);
        builder.Property(m => m.ToAddress).HasMaxLength(4096);
        builder.Property(m => m.Subject).HasMaxLength(998);
        builder.Property(m => m.Envelope).HasColumnType("jsonb");
        builder.Property(m => m.Charsets).HasColumnType("jsonb");
        builder.Property(m => m.Attachments).HasColumnType("jsonb");
        builder.Property(m => m.MessageIdHeader).HasMaxLength(998);
        builder.Property(m => m.InReplyTo).HasMaxLength(998);
        builder.Property(m => m.Status).HasMaxLength(16);
        builder.Property(m => m.Error).HasMaxLength(2000);
        builder.HasIndex(m => new { m.ThreadId, m.CreatedAt });
        // Threading: a reply's In-Reply-To/References looked up among the mails' Message-Ids.
        builder.HasIndex(m => m.MessageIdHeader).HasFilter("message_id_header IS NOT NULL");
        // The dispatcher's queue of operators' replies.
        builder.HasIndex(m => m.CreatedAt).HasFilter("status IN ('queued', 'sending')").HasDatabaseName("ix_sys_support_inbox_messages_outbox");
    }
}
