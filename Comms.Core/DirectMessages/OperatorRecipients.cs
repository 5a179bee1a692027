using Npgsql;

namespace Comms.Core.DirectMessages;

/// <summary>
/// An operator's own recipient row in a tenant (<c>sys-operator-{operatorId}</c>: their email, quiet hours off), so that a
/// test send goes through the pipeline to the operator exactly as it will reach users. Direct messages and broadcasts
/// test-send to it.
/// </summary>
public static class OperatorRecipients
{
    public static string ExternalId(Guid operatorId) => $"sys-operator-{operatorId:N}";

    /// <summary>Creates the row or brings it up to date; returns its external id.</summary>
    public static async Task<string> EnsureAsync(
        NpgsqlDataSource dataSource, DirectMessageOperator sender, string tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var externalId = ExternalId(sender.Id);
        await using var command = dataSource.CreateCommand("""
            INSERT INTO recipients (id, tenant_id, external_id, name, email, locale, time_zone, roles, attributes, quiet_hours_enabled,
                                    quiet_hours_start, quiet_hours_end, quiet_hours_exceptions, dm_muted_channels, created_at, updated_at)
            VALUES (@id, @tenant, @external, @name, @email, 'en-US', 'UTC', '{}', '{}'::jsonb, false, '21:00', '08:00', '{}', '{}', @now, @now)
            ON CONFLICT (tenant_id, external_id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name, updated_at = EXCLUDED.updated_at
            """);
        command.Parameters.AddWithValue("id", Guid.CreateVersion7(now));
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("external", externalId);
        command.Parameters.AddWithValue("name", (object?)sender.Name ?? DBNull.Value);
        command.Parameters.AddWithValue("email", sender.Email);
        command.Parameters.AddWithValue("now", now);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return externalId;
    }
}
