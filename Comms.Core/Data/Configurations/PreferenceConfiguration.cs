using Comms.Core.Preferences;
using Comms.Core.Recipients;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class PreferenceConfiguration : IEntityTypeConfiguration<Preference>
{
    public void Configure(EntityTypeBuilder<Preference> builder)
    {
        builder.HasKey(p => new { p.RecipientId, p.Channel, p.Category });
        builder.Property(p => p.Channel).HasMaxLength(16);
        builder.Property(p => p.Category).HasMaxLength(64);
        builder.HasOne<Recipient>().WithMany().HasForeignKey(p => p.RecipientId).OnDelete(DeleteBehavior.Cascade);
    }
}
