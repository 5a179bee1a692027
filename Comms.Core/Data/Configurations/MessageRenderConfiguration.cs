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
        builder.HasOne<Message>().WithOne().HasForeignKey<MessageRender>(r => r.MessageId);
    }
}
