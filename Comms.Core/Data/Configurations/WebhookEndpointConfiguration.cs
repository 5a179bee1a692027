using Comms.Core.Tenancy;
using Comms.Core.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> builder)
    {
        builder.Property(e => e.Url).HasMaxLength(WebhookTargets.MaxUrlLength);
        builder.Property(e => e.Description).HasMaxLength(WebhookEndpointService.MaxDescriptionLength);
        builder.Property(e => e.ProtectedSecret).HasMaxLength(512);
        builder.HasIndex(e => e.TenantId);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(e => e.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
