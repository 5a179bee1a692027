using Comms.Core.Audit;
using Npgsql;

namespace Comms.Core.Privacy;

/// <summary>What an erasure did, counted (the audit row's metadata and the API's answer; no personal data).</summary>
public sealed record ErasureSummary(
    Guid RecipientId, DateTimeOffset ErasedAt, int Devices, int Preferences, int InboxItems, int Messages, int Renders,
    int Decisions, int Events, int Digests, int WebhookDeliveries, int DroppedInFlight);

/// <summary>
/// GDPR erasure of one recipient (SPEC S11), in one transaction: personal data is replaced by tombstones, delivery
/// records, counts and decisions stay without it, and what was still in flight for the person is dropped with
/// <c>COMMS_RECIPIENT_ERASED</c>. The transaction names the recipient in <c>comms.erasure</c> (<c>SET LOCAL</c>): the
/// immutability triggers of <c>message_renders</c> and <c>decisions</c> let exactly these tombstoning updates through
/// and nothing else (migration <c>RecipientErasure</c>). Every table of the schema is walked here; the test
/// <c>RecipientErasureTests</c> reads them all afterwards.
/// </summary>
public sealed class RecipientErasure(NpgsqlDataSource dataSource, AuditLog audit, TimeProvider time)
{
    public const string AuditAction = "recipient.erased";

    private const string DropDetail = "The recipient was erased before it was sent.";

    // One statement per table change (their order is the summary's indexes). Order matters: personal data first, then the in-flight drops (whose new decisions hold none), then the row itself.
    private static readonly string[] Statements =
    [
        $$"""
        SELECT set_config('comms.erasure', @id::text, true)
        """,
        $$"""
        DELETE FROM devices WHERE recipient_id = @id
        """,
        $$"""
        DELETE FROM preferences WHERE recipient_id = @id
        """,
        $$"""
        UPDATE inbox_items SET title = '{{ErasedIds.Text}}', body = '', body_html = '', link = NULL, icon = NULL, thread_key = NULL
         WHERE recipient_id = @id
        """,
        $$"""
        UPDATE message_renders r
           SET content = COALESCE((SELECT jsonb_object_agg(f.key, CASE jsonb_typeof(f.value)
                                                                 WHEN 'string' THEN to_jsonb('{{ErasedIds.Text}}'::text)
                                                                 WHEN 'object' THEN '{}'::jsonb
                                                                 WHEN 'array' THEN '[]'::jsonb
                                                                 ELSE 'null'::jsonb END)
                                     FROM jsonb_each(r.content) f), '{}'::jsonb)
          FROM messages m
         WHERE m.id = r.message_id AND m.recipient_id = @id
        """,
        $$"""
        UPDATE messages SET address = NULL, unsubscribe_url = NULL, cause_ref = left(replace(cause_ref, @external, @tombstone), 300),
               last_error = CASE WHEN last_error IS NULL THEN NULL ELSE '{{ErasedIds.Text}}' END
         WHERE recipient_id = @id
        """,
        $$"""
        UPDATE decisions SET recipient_external_id = @tombstone,
               detail = CASE WHEN detail IS NULL THEN NULL ELSE '{{ErasedIds.Text}}' END
         WHERE tenant_id = @tenant AND (recipient_id = @id OR (recipient_id IS NULL AND recipient_external_id = @external))
        """,
        $$"""
        UPDATE events SET payload = CASE WHEN cardinality(recipients) = 1 THEN '{}'::jsonb ELSE payload END,
               cause_ref = CASE WHEN cardinality(recipients) = 1 THEN left(replace(cause_ref, @external, @tombstone), 256) ELSE cause_ref END,
               actor = CASE WHEN actor = @external THEN @tombstone ELSE actor END,
               recipients = array_replace(recipients, @external, @tombstone)
         WHERE tenant_id = @tenant AND recipients @> ARRAY[@external]::text[]
        """,
        $$"""
        UPDATE webhook_deliveries w
           SET payload = jsonb_set(
                   CASE WHEN w.payload #> '{data,recipient}' IS NULL THEN w.payload
                        ELSE jsonb_set(w.payload, '{data,recipient,externalId}', to_jsonb(@tombstone::text)) END,
                   '{data,error}',
                   CASE WHEN COALESCE(w.payload #> '{data,error}', 'null'::jsonb) = 'null'::jsonb THEN 'null'::jsonb
                        ELSE to_jsonb('{{ErasedIds.Text}}'::text) END,
                   false)
          FROM messages m
         WHERE m.id = w.message_id AND m.recipient_id = @id
        """,
        $$"""
        WITH dropped AS (
            UPDATE messages SET status = 'cancelled', last_error = 'COMMS_RECIPIENT_ERASED',
                   lease_owner = NULL, lease_until = NULL, claim_token = NULL
             WHERE recipient_id = @id AND status = 'queued'
            RETURNING id, event_id, channel)
        INSERT INTO decisions (tenant_id, event_id, recipient_id, recipient_external_id, channel, outcome, reason, detail, message_id, created_at)
        SELECT @tenant, d.event_id, @id, @tombstone, d.channel, 'blocked', 'COMMS_RECIPIENT_ERASED', '{{DropDetail}}', d.id, @now
          FROM dropped d WHERE d.event_id IS NOT NULL
        """,
        $$"""
        WITH dropped AS (
            UPDATE digests SET status = 'failed', last_error = 'COMMS_RECIPIENT_ERASED', failed_at = @now,
                   lease_owner = NULL, lease_until = NULL, claim_token = NULL
             WHERE recipient_id = @id AND status IN ('open', 'flushing')
            RETURNING id, channel)
        INSERT INTO decisions (tenant_id, event_id, recipient_id, recipient_external_id, channel, outcome, reason, detail, created_at)
        SELECT @tenant, e.event_id, @id, @tombstone, d.channel, 'blocked', 'COMMS_RECIPIENT_ERASED', '{{DropDetail}}', @now
          FROM dropped d JOIN digest_entries e ON e.digest_id = d.id
        """,
        $$"""
        UPDATE digest_entries SET payload = '{}'::jsonb WHERE digest_id IN (SELECT id FROM digests WHERE recipient_id = @id)
        """,
        """
        UPDATE digests SET digest_key = 'erased:' || id WHERE recipient_id = @id
        """,
        """
        UPDATE contexts SET owner_external_id = @tombstone WHERE tenant_id = @tenant AND owner_recipient_id = @id
        """,
        """
        UPDATE context_members SET external_id = @tombstone, display_name = NULL WHERE tenant_id = @tenant AND recipient_id = @id
        """,
        $$"""
        UPDATE scheduled_message_deliveries SET external_id = @tombstone, display_name = NULL,
               error = CASE WHEN error IS NULL THEN NULL ELSE '{{ErasedIds.Text}}' END
         WHERE tenant_id = @tenant AND recipient_id = @id
        """,
        """
        DELETE FROM context_mail_translations
         WHERE mail_id IN (SELECT id FROM context_mail WHERE tenant_id = @tenant AND sender_external_id = @external)
        """,
        $$"""
        UPDATE context_mail SET sender_external_id = @tombstone, sender_name = NULL, subject = '{{ErasedIds.Text}}', body = '{{ErasedIds.Text}}'
         WHERE tenant_id = @tenant AND sender_external_id = @external
        """,
        """
        UPDATE context_mail_recipients SET external_id = @tombstone, name_snapshot = NULL WHERE tenant_id = @tenant AND external_id = @external
        """,
        """
        DELETE FROM banner_dismissals WHERE tenant_id = @tenant AND external_id = @external
        """,
        """
        UPDATE message_keys SET cause_ref = left(replace(cause_ref, @external, @tombstone), 300) WHERE recipient_id = @id
        """,
        $$"""
        UPDATE recipients SET external_id = @tombstone, name = NULL, email = NULL, phone = NULL, locale = NULL, time_zone = NULL,
               roles = '{}', attributes = '{}'::jsonb, quiet_hours_exceptions = '{}', dm_muted_channels = '{}',
               erased_at = @now, updated_at = @now
         WHERE id = @id
        """,
    ];

    /// <summary>Erases the tenant's live recipient with this external id; null when there is none.</summary>
    public async Task<ErasureSummary?> EraseAsync(string tenantId, string externalId, string actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        Guid id;
        await using (var find = new NpgsqlCommand(
            "SELECT id FROM recipients WHERE tenant_id = @tenant AND external_id = @external AND erased_at IS NULL FOR UPDATE",
            connection, transaction))
        {
            find.Parameters.AddWithValue("tenant", tenantId);
            find.Parameters.AddWithValue("external", externalId);
            if (await find.ExecuteScalarAsync(cancellationToken) is not Guid found)
            {
                return null;
            }

            id = found;
        }

        var now = time.GetUtcNow();
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var statement in Statements)
        {
            var command = new NpgsqlBatchCommand(statement);
            command.Parameters.AddWithValue("id", id);
            command.Parameters.AddWithValue("tenant", tenantId);
            command.Parameters.AddWithValue("external", externalId);
            command.Parameters.AddWithValue("tombstone", ErasedIds.Tombstone(externalId));
            command.Parameters.AddWithValue("now", now);
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        int Affected(int index) => checked((int)batch.BatchCommands[index].RecordsAffected);
        var summary = new ErasureSummary(id, now, Devices: Affected(1), Preferences: Affected(2), InboxItems: Affected(3), Renders: Affected(4),
            Messages: Affected(5), Decisions: Affected(6), Events: Affected(7), WebhookDeliveries: Affected(8),
            DroppedInFlight: Affected(9) + Affected(10), Digests: Affected(12));
        await audit.AppendAsync(connection, transaction, tenantId, actor, AuditAction, "recipient:" + id, summary, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return summary;
    }
}
