using Comms.Core.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class DecisionConfiguration : IEntityTypeConfiguration<Decision>
{
    public void Configure(EntityTypeBuilder<Decision> builder)
    {
        // Partitioned by month on created_at; the database's primary key is (id, created_at).
        builder.Property(d => d.Id).UseIdentityAlwaysColumn();
        builder.Property(d => d.RecipientExternalId).HasMaxLength(200);
        builder.Property(d => d.Channel).HasMaxLength(16);
        builder.Property(d => d.Outcome).HasMaxLength(32);
        builder.Property(d => d.Reason).HasMaxLength(64);
        builder.Property(d => d.Detail).HasMaxLength(1000);
        // An event's decisions are read a page at a time in id order (an audience event has millions).
        builder.HasIndex(d => new { d.EventId, d.Id });
        builder.HasIndex(d => new { d.TenantId, d.RecipientId, d.CreatedAt });
    }
}
