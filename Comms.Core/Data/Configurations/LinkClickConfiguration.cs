using Comms.Core.Links;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class LinkClickConfiguration : IEntityTypeConfiguration<LinkClick>
{
    public void Configure(EntityTypeBuilder<LinkClick> builder)
    {
        builder.Property(c => c.Id).UseIdentityAlwaysColumn();
        builder.Property(c => c.TenantId).HasMaxLength(64);
        // No foreign key: messages is partitioned by month (its key is (id, created_at)); the retention job removes
        // clicks older than the tenant's retention with the rest of the delivery records.
        builder.HasIndex(c => new { c.MessageId, c.LinkIndex });
    }
}
