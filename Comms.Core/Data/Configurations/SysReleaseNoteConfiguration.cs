using Comms.Core.ReleaseNotes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class SysReleaseNoteConfiguration : IEntityTypeConfiguration<SysReleaseNote>
{
    public void Configure(EntityTypeBuilder<SysReleaseNote> builder)
    {
        builder.ToTable("sys_release_notes");
        builder.Property(n => n.Version).HasMaxLength(ReleaseNoteRules.MaxVersionLength);
        builder.HasIndex(n => n.Version).IsUnique();
        builder.Property(n => n.Title).HasMaxLength(ReleaseNoteRules.MaxTitleLength);
        builder.Property(n => n.Sections).HasJsonConversion();
        builder.Property(n => n.Visibility).HasMaxLength(16);
        builder.Property(n => n.Status).HasMaxLength(16);
        // The public changelog: published + public, newest first.
        builder.HasIndex(n => new { n.Status, n.Visibility, n.PublishedAt });
    }
}
