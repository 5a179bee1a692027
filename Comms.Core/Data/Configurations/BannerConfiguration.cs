using Comms.Core.Banners;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class BannerTemplateConfiguration : IEntityTypeConfiguration<BannerTemplate>
{
    public void Configure(EntityTypeBuilder<BannerTemplate> builder)
    {
        builder.ToTable("banner_templates");
        builder.Property(t => t.Kind).HasMaxLength(16);
        builder.Property(t => t.Title).HasMaxLength(BannerLimits.MaxTitleLength);
        builder.Property(t => t.Body).HasMaxLength(BannerLimits.MaxBodyLength);
        builder.Property(t => t.Link).HasMaxLength(BannerLimits.MaxLinkLength);
        builder.Property(t => t.Severity).HasMaxLength(16);
    }
}

internal sealed class BannerActivationConfiguration : IEntityTypeConfiguration<BannerActivation>
{
    public void Configure(EntityTypeBuilder<BannerActivation> builder)
    {
        builder.ToTable("banner_activations");
        builder.HasOne<BannerTemplate>().WithMany().HasForeignKey(a => a.TemplateId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => a.TemplateId);
        builder.HasIndex(a => a.StartsAt);
    }
}

internal sealed class BannerDismissalConfiguration : IEntityTypeConfiguration<BannerDismissal>
{
    public void Configure(EntityTypeBuilder<BannerDismissal> builder)
    {
        builder.ToTable("banner_dismissals");
        builder.HasKey(d => new { d.ActivationId, d.TenantId, d.ExternalId });
        builder.Property(d => d.TenantId).HasMaxLength(64);
        builder.Property(d => d.ExternalId).HasMaxLength(Recipients.RecipientFormats.MaxExternalIdLength);
        builder.HasOne<BannerActivation>().WithMany().HasForeignKey(d => d.ActivationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(d => new { d.TenantId, d.ExternalId });
    }
}
