using Comms.Core.Recipients;
using Comms.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class RecipientConfiguration : IEntityTypeConfiguration<Recipient>
{
    public void Configure(EntityTypeBuilder<Recipient> builder)
    {
        builder.Property(r => r.ExternalId).HasMaxLength(200);
        builder.Property(r => r.Email).HasMaxLength(320);
        builder.Property(r => r.Phone).HasMaxLength(32);
        builder.Property(r => r.Locale).HasMaxLength(35);
        builder.Property(r => r.TimeZone).HasMaxLength(64);
        builder.Property(r => r.Attributes).HasColumnType("jsonb");
        builder.HasIndex(r => new { r.TenantId, r.ExternalId }).IsUnique();
        // Audience streaming walks a tenant's recipients in id order.
        builder.HasIndex(r => new { r.TenantId, r.Id });
        builder.HasIndex(r => r.Roles).HasMethod("gin");
        // Inbound SMS keywords find the recipients of a phone (in every tenant).
        builder.HasIndex(r => r.Phone);
        builder.HasIndex(r => r.Attributes).HasMethod("gin");
        builder.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId);
    }
}
