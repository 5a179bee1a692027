using Comms.Core.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comms.Core.Data.Configurations;

internal sealed class MessageAttemptConfiguration : IEntityTypeConfiguration<MessageAttempt>
{
    public void Configure(EntityTypeBuilder<MessageAttempt> builder)
    {
        builder.ToTable("message_attempts");
        // Partitioned by month on created_at like messages (the MessageAttempts migration): the database's primary key is
        // (id, created_at), EF addresses rows by id alone. No foreign key to the partitioned messages table.
        builder.Property(a => a.Id).UseIdentityAlwaysColumn();
        builder.Property(a => a.Provider).HasMaxLength(32);
        builder.Property(a => a.Outcome).HasMaxLength(16);
        builder.Property(a => a.Response).HasMaxLength(200);
        builder.Property(a => a.ProviderMessageId).HasMaxLength(256);
        builder.Property(a => a.ErrorCode).HasMaxLength(64);
        builder.HasIndex(a => new { a.MessageId, a.StartedAt });
        builder.HasIndex(a => new { a.TenantId, a.CreatedAt });
    }
}
