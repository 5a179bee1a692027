using Comms.Core.Preferences;
using Npgsql;
using NpgsqlTypes;

namespace Comms.Core.Recipients.Bulk;

/// <summary>
/// The SQL of a bulk sync over <c>recipients</c>, <c>devices</c> and <c>preferences</c>, one statement per table and
/// batch: rows travel as parallel arrays through <c>unnest</c>, upserts skip rows that would not change
/// (<c>IS DISTINCT FROM</c>), and <c>RETURNING</c> says which rows were written.
/// </summary>
internal static class RecipientBulkStore
{
    /// <summary>text[][] cannot be ragged, so a list (roles, categories: slugs) travels as one unit-separator-joined string.</summary>
    private const char Separator = '\u001f';

    /// <summary>The tenant's recipients with these external ids, locked until the transaction ends, in external id order (so two calls lock in the same order).</summary>
    public static async Task<Dictionary<string, Recipient>> LockAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId, IEnumerable<string> externalIds, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT id, external_id, name, email, phone, locale, time_zone, roles, attributes::text,
                   quiet_hours_enabled, quiet_hours_start, quiet_hours_end, quiet_hours_exceptions, created_at, updated_at
              FROM recipients
             WHERE tenant_id = @tenant AND external_id = ANY(@external_ids)
             ORDER BY external_id
               FOR UPDATE
            """, connection, transaction);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.Add(Text("external_ids", externalIds));
        var found = new Dictionary<string, Recipient>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var recipient = new Recipient
            {
                Id = reader.GetGuid(0),
                TenantId = tenantId,
                ExternalId = reader.GetString(1),
                Name = NullableText(reader, 2),
                Email = NullableText(reader, 3),
                Phone = NullableText(reader, 4),
                Locale = NullableText(reader, 5),
                TimeZone = NullableText(reader, 6),
                Roles = reader.GetFieldValue<string[]>(7),
                Attributes = reader.GetString(8),
                QuietHoursEnabled = reader.GetBoolean(9),
                QuietHoursStart = reader.GetFieldValue<TimeOnly>(10),
                QuietHoursEnd = reader.GetFieldValue<TimeOnly>(11),
                QuietHoursExceptions = reader.GetFieldValue<string[]>(12),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(13),
                UpdatedAt = reader.GetFieldValue<DateTimeOffset>(14),
            };
            found[recipient.ExternalId] = recipient;
        }

        return found;
    }

    /// <summary>
    /// Inserts the new rows and updates the existing ones that differ. A row counts as existing only when it has the id
    /// given, so a row another request created since <see cref="LockAsync"/> is left alone and not returned.
    /// </summary>
    /// <returns>The external ids written, each with whether it was inserted.</returns>
    public static async Task<Dictionary<string, bool>> UpsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId, IReadOnlyList<Recipient> rows, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO recipients AS r (id, tenant_id, external_id, name, email, phone, locale, time_zone, roles, attributes,
                                         quiet_hours_enabled, quiet_hours_start, quiet_hours_end, quiet_hours_exceptions,
                                         dm_muted_channels, created_at, updated_at)
            SELECT u.id, @tenant, u.external_id, u.name, u.email, u.phone, u.locale, u.time_zone, string_to_array(u.roles, chr(31)),
                   u.attributes::jsonb, u.qh_enabled, u.qh_start, u.qh_end, string_to_array(u.qh_exceptions, chr(31)),
                   '{}', @now, @now
              FROM unnest(@ids, @external_ids, @names, @emails, @phones, @locales, @time_zones, @roles, @attributes,
                          @qh_enabled, @qh_start, @qh_end, @qh_exceptions)
                AS u(id, external_id, name, email, phone, locale, time_zone, roles, attributes,
                     qh_enabled, qh_start, qh_end, qh_exceptions)
            ON CONFLICT (tenant_id, external_id) DO UPDATE
               SET name = EXCLUDED.name, email = EXCLUDED.email, phone = EXCLUDED.phone, locale = EXCLUDED.locale,
                   time_zone = EXCLUDED.time_zone, roles = EXCLUDED.roles, attributes = EXCLUDED.attributes,
                   quiet_hours_enabled = EXCLUDED.quiet_hours_enabled, quiet_hours_start = EXCLUDED.quiet_hours_start,
                   quiet_hours_end = EXCLUDED.quiet_hours_end, quiet_hours_exceptions = EXCLUDED.quiet_hours_exceptions,
                   updated_at = EXCLUDED.updated_at
             WHERE r.id = EXCLUDED.id
               AND (r.name, r.email, r.phone, r.locale, r.time_zone, r.roles, r.attributes,
                    r.quiet_hours_enabled, r.quiet_hours_start, r.quiet_hours_end, r.quiet_hours_exceptions)
                   IS DISTINCT FROM
                   (EXCLUDED.name, EXCLUDED.email, EXCLUDED.phone, EXCLUDED.locale, EXCLUDED.time_zone, EXCLUDED.roles,
                    EXCLUDED.attributes, EXCLUDED.quiet_hours_enabled, EXCLUDED.quiet_hours_start, EXCLUDED.quiet_hours_end,
                    EXCLUDED.quiet_hours_exceptions)
            RETURNING r.external_id, (r.xmax = 0) AS inserted
            """, connection, transaction);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
        command.Parameters.Add(Text("external_ids", rows.Select(r => r.ExternalId)));
        command.Parameters.Add(Text("names", rows.Select(r => r.Name)));
        command.Parameters.Add(Text("emails", rows.Select(r => r.Email)));
        command.Parameters.Add(Text("phones", rows.Select(r => r.Phone)));
        command.Parameters.Add(Text("locales", rows.Select(r => r.Locale)));
        command.Parameters.Add(Text("time_zones", rows.Select(r => r.TimeZone)));
        command.Parameters.Add(Text("roles", rows.Select(r => string.Join(Separator, r.Roles))));
        command.Parameters.Add(Text("attributes", rows.Select(r => r.Attributes)));
        command.Parameters.AddWithValue("qh_enabled", rows.Select(r => r.QuietHoursEnabled).ToArray());
        command.Parameters.AddWithValue("qh_start", rows.Select(r => r.QuietHoursStart).ToArray());
        command.Parameters.AddWithValue("qh_end", rows.Select(r => r.QuietHoursEnd).ToArray());
        command.Parameters.Add(Text("qh_exceptions", rows.Select(r => string.Join(Separator, r.QuietHoursExceptions))));
        var written = new Dictionary<string, bool>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            written[reader.GetString(0)] = reader.GetBoolean(1);
        }

        return written;
    }

    /// <summary>Registers the devices (a token of another recipient of the tenant moves); returns the recipients whose devices changed.</summary>
    public static async Task<HashSet<Guid>> RegisterDevicesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId,
        IReadOnlyList<(Guid Recipient, string Provider, string Token)> devices, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ordered = devices.OrderBy(d => d.Provider, StringComparer.Ordinal).ThenBy(d => d.Token, StringComparer.Ordinal).ToList();
        await using var command = new NpgsqlCommand("""
            INSERT INTO devices AS d (id, tenant_id, recipient_id, provider, token, created_at)
            SELECT u.id, @tenant, u.recipient_id, u.provider, u.token, @now
              FROM unnest(@ids, @recipient_ids, @providers, @tokens) AS u(id, recipient_id, provider, token)
            ON CONFLICT (tenant_id, provider, token) DO UPDATE SET recipient_id = EXCLUDED.recipient_id
             WHERE d.recipient_id <> EXCLUDED.recipient_id
            RETURNING d.recipient_id
            """, connection, transaction);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("ids", ordered.Select(_ => Guid.CreateVersion7(now)).ToArray());
        command.Parameters.AddWithValue("recipient_ids", ordered.Select(d => d.Recipient).ToArray());
        command.Parameters.Add(Text("providers", ordered.Select(d => d.Provider)));
        command.Parameters.Add(Text("tokens", ordered.Select(d => d.Token)));
        return await ReadIdsAsync(command, cancellationToken);
    }

    /// <summary>Sets the preference overrides that differ; returns the recipients whose overrides changed.</summary>
    public static async Task<HashSet<Guid>> SetPreferencesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId,
        IReadOnlyList<(Guid Recipient, PreferenceChange Change)> preferences, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO preferences AS p (tenant_id, recipient_id, channel, category, enabled, updated_at)
            SELECT @tenant, u.recipient_id, u.channel, u.category, u.enabled, @now
              FROM unnest(@recipient_ids, @channels, @categories, @enabled) AS u(recipient_id, channel, category, enabled)
            ON CONFLICT (recipient_id, channel, category) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = EXCLUDED.updated_at
             WHERE p.enabled <> EXCLUDED.enabled
            RETURNING p.recipient_id
            """, connection, transaction);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("recipient_ids", preferences.Select(p => p.Recipient).ToArray());
        command.Parameters.Add(Text("channels", preferences.Select(p => p.Change.Channel)));
        command.Parameters.Add(Text("categories", preferences.Select(p => p.Change.Category)));
        command.Parameters.AddWithValue("enabled", preferences.Select(p => p.Change.Enabled!.Value).ToArray());
        return await ReadIdsAsync(command, cancellationToken);
    }

    /// <summary>Marks recipients as updated now (their preferences changed, as the single preference update does).</summary>
    public static async Task TouchAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<Guid> recipientIds, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("UPDATE recipients SET updated_at = @now WHERE id = ANY(@ids)", connection, transaction);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("ids", recipientIds.ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<HashSet<Guid>> ReadIdsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var ids = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    private static string? NullableText(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static NpgsqlParameter Text(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() };
}
