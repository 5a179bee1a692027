using Comms.Core.Auth;
using Comms.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class SigningKeyConfiguration : IEntityTypeConfiguration<SigningKey>
{
    public void Configure(EntityTypeBuilder<SigningKey> builder)
    {
        builder.Property(k => k.Kid).HasMaxLength(SigningKeyService.MaxKidLength);
        builder.Property(k => k.Algorithm).HasMaxLength(8);
        builder.Property(k => k.ProtectedSecret).HasMaxLength(512);
        builder.Property(k => k.PublicKeyJwk).HasMaxLength(4096);
        builder.Property(k => k.Issuer).HasMaxLength(256);
        builder.Property(k => k.Audience).HasMaxLength(256);
        builder.HasIndex(k => new { k.TenantId, k.Kid }).IsUnique();
        builder.HasOne<Tenant>().WithMany().HasForeignKey(k => k.TenantId);
    }
}
