using Comms.Core.Templates;
using Comms.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class TemplateConfiguration : IEntityTypeConfiguration<Template>
{
    public void Configure(EntityTypeBuilder<Template> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(128);
        builder.Property(t => t.Channel).HasMaxLength(16);
        builder.Property(t => t.Locale).HasMaxLength(35);
        builder.Property(t => t.Status).HasMaxLength(24);
        builder.Property(t => t.Category).HasMaxLength(64);
        builder.Property(t => t.Content).HasJsonConversion();
        builder.Property(t => t.Variants).HasJsonConversion();
        builder.Property(t => t.VariablesSchema).HasColumnType("jsonb");

        // One immutable row per published version, and at most one draft per (name, channel, locale).
        builder.HasIndex(t => new { t.TenantId, t.Name, t.Channel, t.Locale, t.Version })
            .IsUnique().HasFilter("version IS NOT NULL");
        builder.HasIndex(t => new { t.TenantId, t.Name, t.Channel, t.Locale })
            .IsUnique().HasFilter("version IS NULL").HasDatabaseName("ix_templates_one_draft");
        builder.HasOne<Tenant>().WithMany().HasForeignKey(t => t.TenantId);
    }
}
