using Comms.Core.Links;
using Comms.Core.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class LinkClickConfiguration : IEntityTypeConfiguration<LinkClick>
{
    public void Configure(EntityTypeBuilder<LinkClick> builder)
    {
        builder.Property(c => c.Id).UseIdentityAlwaysColumn();
        builder.Property(c => c.TenantId).HasMaxLength(64);
        // Clicks go with their message (retention and erasure delete messages; their clicks follow).
        builder.HasOne<Message>().WithMany().HasForeignKey(c => c.MessageId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => new { c.MessageId, c.LinkIndex });
    }
}
