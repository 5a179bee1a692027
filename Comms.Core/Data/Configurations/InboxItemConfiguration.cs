using Comms.Core.Inbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class InboxItemConfiguration : IEntityTypeConfiguration<InboxItem>
{
    public void Configure(EntityTypeBuilder<InboxItem> builder)
    {
        builder.Property(i => i.Category).HasMaxLength(64);
        builder.Property(i => i.Title).HasMaxLength(500);
        builder.Property(i => i.Link).HasMaxLength(2048);
        builder.Property(i => i.Icon).HasMaxLength(2048);
        builder.Property(i => i.ThreadKey).HasMaxLength(256);
        // Partitioned by month on created_at; the database's primary key is (id, created_at). A message's item is written
        // once: InboxWriter checks this index under the recipient's advisory lock (a unique index would need created_at).
        builder.HasIndex(i => i.MessageId);
        // The notification center lists a user's items newest first (cursor = created_at, id).
        builder.HasIndex(i => new { i.RecipientId, i.CreatedAt, i.Id }, "ix_inbox_items_recipient_id_created_at_id").IsDescending(false, true, true)
            .HasDatabaseName("ix_inbox_items_recipient_id_created_at_id");
        // The badge counts and the unread list: a user's unread items in list order, with seen_at, so counting them
        // reads the index alone (an index-only scan) and the unread list does not skip over read items.
        builder.HasIndex(i => new { i.RecipientId, i.CreatedAt, i.Id }, "ix_inbox_items_unread").IsDescending(false, true, true)
            .IncludeProperties(i => i.SeenAt)
            .HasFilter("read_at IS NULL AND archived_at IS NULL").HasDatabaseName("ix_inbox_items_unread");
    }
}
