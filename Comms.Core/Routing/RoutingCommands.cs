using System.Text.Json;
using Comms.Core.Messages;
using Npgsql;
using NpgsqlTypes;

namespace Comms.Core.Routing;

/// <summary>The event (and tenant and trace) a written row belongs to.</summary>
internal sealed record RowOwner(Guid EventId, string TenantId, string? TraceParent);

/// <summary>The statements of a routing write, as batch commands over <c>unnest</c>ed arrays (rows of one or many events).</summary>
internal static class RoutingCommands
{
    public const string DuplicateDetail = "A message with the same template version, recipient, cause and channel exists.";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The session setting under which the <c>messages_idempotency</c> trigger stands aside (the keys are claimed set-based).</summary>
    public const string KeysClaimedSetting = "comms.message_keys";

    /// <summary>Tells the <c>messages_idempotency</c> trigger, for the rest of this transaction or until <see cref="KeysReleased"/>, that the writer claims the keys itself.</summary>
    public static NpgsqlBatchCommand KeysClaimed() => new($"SELECT set_config('{KeysClaimedSetting}', 'claimed', true)");

    /// <summary>Gives the idempotency back to the trigger for the rest of the transaction (a caller's own inserts keep it).</summary>
    public static NpgsqlBatchCommand KeysReleased() => new($"SELECT set_config('{KeysClaimedSetting}', '', true)");

    /// <summary>
    /// Writes messages, their renders and the decisions (of one or many events) in ONE statement, set-based: the
    /// idempotency keys are claimed first in <c>message_keys</c> (<see cref="MessageKey"/>; a repeat of a key is skipped, in
    /// the order given, as the <c>messages_idempotency</c> trigger does row by row), then only the messages whose key was
    /// claimed are inserted with their renders, and a decision whose message was skipped as a repeat is recorded as
    /// <c>COMMS_DUPLICATE</c>. Returns the ids of the messages inserted. Must run between <see cref="KeysClaimed"/> and
    /// <see cref="KeysReleased"/>, so that the trigger does not claim the same keys again.
    /// </summary>
    /// <remarks>
    /// The messages named in <paramref name="sentInline"/> (in-app, delivered in this transaction) are inserted already
    /// <c>sent</c> — provider <c>in_app</c>, attempt 1, with their attempt row — and, as the <c>messages_status_webhooks</c>
    /// trigger does for a status change to sent, one <c>message.sent</c> delivery per enabled endpoint of the tenant
    /// subscribed to it, with the trigger's payload (previous status <c>queued</c>).
    /// </remarks>
    public static NpgsqlBatchCommand Insert(
        List<(RowOwner Owner, PlannedMessage Message)> messageRows, List<(RowOwner Owner, PlannedDecision Decision)> decisionRows, DateTimeOffset now,
        IReadOnlySet<Guid>? sentInline = null)
    {
        var messages = messageRows.Select(r => r.Message).ToList();
        var decisions = decisionRows.Select(r => r.Decision).ToList();
        var command = new NpgsqlBatchCommand("""
            WITH k AS (
                INSERT INTO message_keys (template_name, template_version, recipient_id, cause_ref, channel, message_id, tenant_id, created_at)
                SELECT u.template_name, u.template_version, u.recipient_id, u.cause_ref, u.channel, u.id, u.tenant, @now
                  FROM unnest(@tenants, @ids, @recipients, @channels, @templates, @versions, @causes) WITH ORDINALITY
                    AS u(tenant, id, recipient_id, channel, template_name, template_version, cause_ref, n)
                 ORDER BY u.n
                ON CONFLICT DO NOTHING
                RETURNING message_id),
            m AS (
                INSERT INTO messages (id, tenant_id, event_id, recipient_id, channel, category, template_name, template_version,
                                      locale, variant, cause_ref, address, status, due_at, attempts, escalation_of, trace_parent,
                                      unsubscribe_url, created_at, sent_at, provider)
                SELECT u.id, u.tenant, u.event, u.recipient_id, u.channel, u.category, u.template_name, u.template_version,
                       u.locale, u.variant, u.cause_ref, u.address, CASE WHEN u.sent THEN 'sent' ELSE 'queued' END, u.due_at,
                       CASE WHEN u.sent THEN 1 ELSE 0 END, u.escalation_of, u.trace, u.unsubscribe_url, @now,
                       CASE WHEN u.sent THEN @now END, CASE WHEN u.sent THEN @in_app END
                  FROM unnest(@tenants, @events, @traces, @ids, @recipients, @channels, @categories, @templates, @versions, @locales,
                              @variants, @causes, @addresses, @due, @escalations, @unsubscribe_urls, @sent)
                    AS u(tenant, event, trace, id, recipient_id, channel, category, template_name, template_version, locale, variant,
                         cause_ref, address, due_at, escalation_of, unsubscribe_url, sent)
                 WHERE u.id IN (SELECT message_id FROM k)
                RETURNING id, tenant_id, event_id, recipient_id, channel, category, template_name, template_version, status),
            a AS (
                INSERT INTO message_attempts (message_id, tenant_id, created_at, attempt, provider, outcome, started_at, finished_at)
                SELECT m.id, m.tenant_id, @now, 1, @in_app, 'sent', @now, @now FROM m WHERE m.status = 'sent'),
            w AS (
                INSERT INTO webhook_deliveries (tenant_id, endpoint_id, message_id, event_type, payload, status, attempts, next_attempt_at, created_at)
                SELECT m.tenant_id, e.id, m.id, 'message.sent',
                       jsonb_build_object(
                           'type', 'message.sent',
                           'timestamp', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                           'data', jsonb_build_object(
                               'messageId', m.id,
                               'eventId', m.event_id,
                               'status', 'sent',
                               'previousStatus', 'queued',
                               'channel', m.channel,
                               'category', m.category,
                               'recipient', jsonb_build_object('externalId', (SELECT r.external_id FROM recipients r WHERE r.id = m.recipient_id)),
                               'template', jsonb_build_object('name', m.template_name, 'version', m.template_version),
                               'attempts', 1,
                               'providerMessageId', NULL,
                               'error', NULL)),
                       'pending', 0, clock_timestamp(), clock_timestamp()
                  FROM m JOIN webhook_endpoints e ON e.tenant_id = m.tenant_id AND e.enabled AND 'message.sent' = ANY(e.event_types)
                 WHERE m.status = 'sent'),
            r AS (
                INSERT INTO message_renders (message_id, tenant_id, content, created_at)
                SELECT u.id, u.tenant, u.content::jsonb, @now FROM unnest(@ids, @tenants, @contents) AS u(id, tenant, content)
                 WHERE u.id IN (SELECT message_id FROM k)),
            d AS (
                INSERT INTO decisions (tenant_id, event_id, recipient_id, recipient_external_id, channel, outcome, reason, detail,
                                       message_id, due_at, created_at)
                SELECT d.tenant, d.event, d.recipient_id, d.external_id, d.channel,
                       CASE WHEN d.duplicate THEN 'blocked' ELSE d.outcome END,
                       CASE WHEN d.duplicate THEN @duplicate_reason ELSE d.reason END,
                       CASE WHEN d.duplicate THEN @duplicate_detail ELSE d.detail END,
                       CASE WHEN d.duplicate THEN NULL ELSE d.message_id END,
                       d.due_at, @now
                  FROM (SELECT u.*, (u.message_id IS NOT NULL AND u.message_id NOT IN (SELECT message_id FROM k)) AS duplicate
                          FROM unnest(@d_tenants, @d_events, @d_recipients, @d_externals, @d_channels, @d_outcomes, @d_reasons, @d_details,
                                      @d_messages, @d_due)
                            AS u(tenant, event, recipient_id, external_id, channel, outcome, reason, detail, message_id, due_at)) d)
            SELECT message_id FROM k
            """);
        var p = command.Parameters;
        p.AddWithValue("now", now);
        p.AddWithValue("tenants", messageRows.Select(r => r.Owner.TenantId).ToArray());
        p.AddWithValue("events", messageRows.Select(r => r.Owner.EventId).ToArray());
        p.Add(Text("traces", messageRows.Select(r => r.Owner.TraceParent)));
        p.AddWithValue("ids", messages.Select(m => m.Id).ToArray());
        p.AddWithValue("recipients", messages.Select(m => m.RecipientId).ToArray());
        p.AddWithValue("channels", messages.Select(m => m.Channel).ToArray());
        p.AddWithValue("categories", messages.Select(m => m.Category).ToArray());
        p.AddWithValue("templates", messages.Select(m => m.TemplateName).ToArray());
        p.AddWithValue("versions", messages.Select(m => m.TemplateVersion).ToArray());
        p.Add(Text("locales", messages.Select(m => m.Locale)));
        p.Add(Text("variants", messages.Select(m => m.Variant)));
        p.AddWithValue("causes", messages.Select(m => m.CauseRef).ToArray());
        p.Add(Text("addresses", messages.Select(m => m.Address)));
        p.Add(Timestamps("due", messages.Select(m => (DateTimeOffset?)m.DueAt)));
        p.Add(new NpgsqlParameter("escalations", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = messages.Select(m => m.EscalationOf).ToArray() });
        p.Add(Text("unsubscribe_urls", messages.Select(m => m.UnsubscribeUrl)));
        p.AddWithValue("contents", messages.Select(m => JsonSerializer.Serialize(m.Content, Json)).ToArray());
        p.AddWithValue("sent", messages.Select(m => sentInline?.Contains(m.Id) == true).ToArray());
        p.AddWithValue("in_app", AttemptProviders.InApp);

        p.AddWithValue("d_tenants", decisionRows.Select(r => r.Owner.TenantId).ToArray());
        p.AddWithValue("d_events", decisionRows.Select(r => r.Owner.EventId).ToArray());
        p.AddWithValue("duplicate_reason", ReasonCodes.Duplicate);
        p.AddWithValue("duplicate_detail", DuplicateDetail);
        p.Add(new NpgsqlParameter("d_recipients", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = decisions.Select(d => d.RecipientId).ToArray() });
        p.AddWithValue("d_externals", decisions.Select(d => d.RecipientExternalId).ToArray());
        p.AddWithValue("d_channels", decisions.Select(d => d.Channel).ToArray());
        p.AddWithValue("d_outcomes", decisions.Select(d => d.Outcome).ToArray());
        p.Add(Text("d_reasons", decisions.Select(d => d.Reason)));
        p.Add(Text("d_details", decisions.Select(d => d.Detail is { Length: > 1000 } x ? x[..1000] : d.Detail)));
        p.Add(new NpgsqlParameter("d_messages", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = decisions.Select(d => d.Message?.Id).ToArray() });
        p.Add(Timestamps("d_due", decisions.Select(d => d.DueAt ?? d.Message?.DueAt)));
        return command;
    }

    private static NpgsqlParameter Text(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() };

    private static NpgsqlParameter Timestamps(string name, IEnumerable<DateTimeOffset?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = values.Select(v => v?.UtcDateTime).ToArray() };
}
