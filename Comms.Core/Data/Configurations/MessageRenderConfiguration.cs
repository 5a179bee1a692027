using Comms.Core.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class MessageRenderConfiguration : IEntityTypeConfiguration<MessageRender>
{
    public void Configure(EntityTypeBuilder<MessageRender> builder)
    {
        builder.HasKey(r => r.MessageId);
        builder.Property(r => r.Content).HasJsonConversion();
        // Partitioned by month like messages (primary key (message_id, created_at) in the database). No foreign key to
        // messages: one referencing a partitioned table would have to carry its partition key; retention removes a render
        // with its message (the same month partition, or the same batch delete).
    }
}
