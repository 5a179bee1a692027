using System.Text.Json;
using Comms.Core.Audit;
using Comms.Core.Preferences;
using Npgsql;

namespace Comms.Core.Privacy;

/// <summary>The recipient an export is about (found before the answer starts, so an unknown one is a 404).</summary>
public sealed record ExportSubject(string TenantId, Guid Id, string ExternalId, string? Email, string? Phone);

/// <summary>
/// Access export (SPEC S11): everything stored about one recipient as one JSON document, written section by section
/// straight to the response body as the rows are read (a person with a million messages is never held in memory).
/// Sections: <c>recipient</c>, <c>devices</c>, <c>preferences</c>, <c>inbox</c>, <c>messages</c> (each with its
/// <c>render</c> and status), <c>decisions</c>, <c>suppressions</c> (of their addresses, found by hash), <c>audit</c>
/// (rows whose target is the recipient or one of their messages).
/// </summary>
public sealed class RecipientExport(NpgsqlDataSource dataSource, AuditLog audit, TimeProvider time)
{
    public const string AuditAction = "recipient.exported";
    private const int FlushEvery = 200;

    private static readonly (string Name, string Sql)[] Sections =
    [
        ("devices", "SELECT id, provider, token, created_at FROM devices WHERE recipient_id = @id ORDER BY id"),
        ("preferences", "SELECT channel, category, enabled, updated_at FROM preferences WHERE recipient_id = @id ORDER BY channel, category"),
        ("inbox", """
            SELECT id, message_id, event_id, category, title, body, link, icon, thread_key, created_at, seen_at, read_at, archived_at
              FROM inbox_items WHERE recipient_id = @id ORDER BY created_at, id
            """),
        ("messages", """
            SELECT m.id, m.event_id, m.channel, m.category, m.template_name, m.template_version, m.locale, m.variant, m.cause_ref,
                   m.address, m.status, m.attempts, m.due_at, m.created_at, m.sent_at, m.failed_at, m.last_error,
                   m.provider_message_id, r.content AS render
              FROM messages m LEFT JOIN message_renders r ON r.message_id = m.id
             WHERE m.tenant_id = @tenant AND m.recipient_id = @id ORDER BY m.created_at, m.id
            """),
        ("decisions", """
            SELECT id, event_id, channel, outcome, reason, detail, message_id, due_at, created_at
              FROM decisions
             WHERE tenant_id = @tenant AND (recipient_id = @id OR (recipient_id IS NULL AND recipient_external_id = @external))
             ORDER BY id
            """),
        ("suppressions", "SELECT channel, reason, created_at FROM suppressions WHERE tenant_id = @tenant AND address_hash = ANY(@hashes)"),
        ("audit", """
            SELECT a.id, a.actor, a.action, a.target, a.metadata, a.created_at
              FROM audit_log a
             WHERE a.tenant_id = @tenant
               AND (a.target = 'recipient:' || @id::text
                    OR a.target IN (SELECT 'message:' || m.id::text FROM messages m WHERE m.recipient_id = @id))
             ORDER BY a.id
            """),
    ];

    private const string ProfileSql = """
        SELECT id, external_id, name, email, phone, locale, time_zone, roles, attributes, quiet_hours_enabled, quiet_hours_start,
               quiet_hours_end, quiet_hours_exceptions, dm_muted_channels, created_at, updated_at
          FROM recipients WHERE id = @id
        """;

    /// <summary>The tenant's live recipient with this external id, or null.</summary>
    public async Task<ExportSubject?> FindAsync(string tenantId, string externalId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, email, phone FROM recipients WHERE tenant_id = @tenant AND external_id = @external AND erased_at IS NULL");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("external", externalId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ExportSubject(tenantId, reader.GetGuid(0), externalId,
                reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2))
            : null;
    }

    /// <summary>Records the export in the audit log (who read the person's data), then writes the document to <paramref name="body"/>.</summary>
    public async Task WriteAsync(ExportSubject subject, string actor, Stream body, CancellationToken cancellationToken)
    {
        await audit.AppendAsync(subject.TenantId, actor, AuditAction, "recipient:" + subject.Id, null, cancellationToken);
        await using var writer = new Utf8JsonWriter(body);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot for the whole document (REPEATABLE READ), so the sections agree with each other.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        writer.WriteStartObject();
        writer.WriteString("exportedAt", time.GetUtcNow());
        writer.WriteString("tenantId", subject.TenantId);
        writer.WritePropertyName("recipient");
        await WriteRowsAsync(connection, transaction, ProfileSql, subject, writer, body, single: true, cancellationToken);
        foreach (var (name, sql) in Sections)
        {
            writer.WritePropertyName(name);
            await WriteRowsAsync(connection, transaction, sql, subject, writer, body, single: false, cancellationToken);
        }

        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task WriteRowsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, ExportSubject subject, Utf8JsonWriter writer, Stream body,
        bool single, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("id", subject.Id);
        command.Parameters.AddWithValue("tenant", subject.TenantId);
        command.Parameters.AddWithValue("external", subject.ExternalId);
        command.Parameters.AddWithValue("hashes", new[] { subject.Email, subject.Phone }.OfType<string>().Select(Suppression.Hash).ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!single)
        {
            writer.WriteStartArray();
        }

        var rows = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            WriteRow(reader, writer);
            if (++rows % FlushEvery == 0)
            {
                await writer.FlushAsync(cancellationToken);
                await body.FlushAsync(cancellationToken);
            }
        }

        if (single && rows == 0)
        {
            writer.WriteNullValue();
        }

        if (!single)
        {
            writer.WriteEndArray();
        }
    }

    /// <summary>One row as an object: columns in camelCase, jsonb columns as the JSON they hold.</summary>
    private static void WriteRow(NpgsqlDataReader reader, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        for (var i = 0; i < reader.FieldCount; i++)
        {
            writer.WritePropertyName(JsonNamingPolicy.CamelCase.ConvertName(ToPascal(reader.GetName(i))));
            if (reader.IsDBNull(i))
            {
                writer.WriteNullValue();
                continue;
            }

            if (reader.GetDataTypeName(i) == "jsonb")
            {
                writer.WriteRawValue(reader.GetString(i));
                continue;
            }

            switch (reader.GetValue(i))
            {
                case string text: writer.WriteStringValue(text); break;
                case Guid guid: writer.WriteStringValue(guid); break;
                case bool flag: writer.WriteBooleanValue(flag); break;
                case int number: writer.WriteNumberValue(number); break;
                case long number: writer.WriteNumberValue(number); break;
                case short number: writer.WriteNumberValue(number); break;
                case DateTime instant: writer.WriteStringValue(new DateTimeOffset(DateTime.SpecifyKind(instant, DateTimeKind.Utc))); break;
                case DateTimeOffset instant: writer.WriteStringValue(instant); break;
                case TimeSpan clock: writer.WriteStringValue(TimeOnly.FromTimeSpan(clock).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)); break;
                case TimeOnly clock: writer.WriteStringValue(clock.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)); break;
                case string[] texts:
                    writer.WriteStartArray();
                    foreach (var text in texts)
                    {
                        writer.WriteStringValue(text);
                    }

                    writer.WriteEndArray();
                    break;
                case var other: writer.WriteStringValue(Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture)); break;
            }
        }

        writer.WriteEndObject();
    }

    private static string ToPascal(string snake) =>
        string.Concat(snake.Split('_').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));
}
