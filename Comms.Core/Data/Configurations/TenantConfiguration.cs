using Comms.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class TenantConfiguration : IEntityTypeConfiguration<Tenant>
{
    public void Configure(EntityTypeBuilder<Tenant> builder)
    {
        builder.Property(t => t.Id).HasMaxLength(64);
        builder.Property(t => t.Name).HasMaxLength(200);
        builder.Property(t => t.DefaultLocale).HasMaxLength(35);
        builder.Property(t => t.DefaultTimeZone).HasMaxLength(64);
        builder.Property(t => t.AllowedLinkSchemes).HasDefaultValueSql("'{}'::text[]");
        builder.Property(t => t.Plan).HasMaxLength(64);
        builder.Property(t => t.SmsCategories).HasDefaultValueSql("'{security}'::text[]");
        builder.Property(t => t.EmailProvider).HasMaxLength(16);
        // On unless turned off; true is the "not set" value, so an explicit false is always written.
        builder.Property(t => t.LinkTracking).HasDefaultValue(true).HasSentinel(true);
    }
}
