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

    /// <summary>
    /// Inserts messages (of one or many events); a repeat of the idempotency key is skipped — by the <c>messages_idempotency</c>
    /// trigger, which claims the key in <c>message_keys</c> (see <see cref="MessageKey"/>). Returns the ids inserted.
    /// </summary>
    public static NpgsqlBatchCommand InsertMessages(List<(RowOwner Owner, PlannedMessage Message)> rows, DateTimeOffset now)
    {
        var messages = rows.Select(r => r.Message).ToList();
        var command = new NpgsqlBatchCommand("""
            INSERT INTO messages (id, tenant_id, event_id, recipient_id, channel, category, template_name, template_version,
                                  locale, variant, cause_ref, address, status, due_at, attempts, escalation_of, trace_parent,
                                  unsubscribe_url, created_at)
            SELECT u.id, u.tenant, u.event, u.recipient_id, u.channel, u.category, u.template_name, u.template_version,
                   u.locale, u.variant, u.cause_ref, u.address, 'queued', u.due_at, 0, u.escalation_of, u.trace, u.unsubscribe_url, @now
              FROM unnest(@tenants, @events, @traces, @ids, @recipients, @channels, @categories, @templates, @versions, @locales,
                          @variants, @causes, @addresses, @due, @escalations, @unsubscribe_urls)
                AS u(tenant, event, trace, id, recipient_id, channel, category, template_name, template_version, locale, variant,
                     cause_ref, address, due_at, escalation_of, unsubscribe_url)
            RETURNING id
            """);
        var p = command.Parameters;
        p.AddWithValue("tenants", rows.Select(r => r.Owner.TenantId).ToArray());
        p.AddWithValue("events", rows.Select(r => r.Owner.EventId).ToArray());
        p.Add(Text("traces", rows.Select(r => r.Owner.TraceParent)));
        p.AddWithValue("now", now);
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
        return command;
    }

    /// <summary>Inserts the renders of the messages that the preceding insert actually created.</summary>
    public static NpgsqlBatchCommand InsertRenders(List<(RowOwner Owner, PlannedMessage Message)> rows, DateTimeOffset now)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO message_renders (message_id, tenant_id, content, created_at)
            SELECT u.id, u.tenant, u.content::jsonb, @now FROM unnest(@ids, @tenants, @contents) AS u(id, tenant, content)
             WHERE EXISTS (SELECT 1 FROM messages m WHERE m.id = u.id)
            """);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("ids", rows.Select(r => r.Message.Id).ToArray());
        command.Parameters.AddWithValue("tenants", rows.Select(r => r.Owner.TenantId).ToArray());
        command.Parameters.AddWithValue("contents", rows.Select(r => JsonSerializer.Serialize(r.Message.Content, Json)).ToArray());
        return command;
    }

    /// <summary>Inserts the decisions; one whose message was skipped as a repeat is recorded as <c>COMMS_DUPLICATE</c>.</summary>
    public static NpgsqlBatchCommand InsertDecisions(List<(RowOwner Owner, PlannedDecision Decision)> rows, DateTimeOffset now)
    {
        var decisions = rows.Select(r => r.Decision).ToList();
        var command = new NpgsqlBatchCommand("""
            INSERT INTO decisions (tenant_id, event_id, recipient_id, recipient_external_id, channel, outcome, reason, detail,
                                   message_id, due_at, created_at)
            SELECT d.tenant, d.event, d.recipient_id, d.external_id, d.channel,
                   CASE WHEN d.duplicate THEN 'blocked' ELSE d.outcome END,
                   CASE WHEN d.duplicate THEN @duplicate_reason ELSE d.reason END,
                   CASE WHEN d.duplicate THEN @duplicate_detail ELSE d.detail END,
                   CASE WHEN d.duplicate THEN NULL ELSE d.message_id END,
                   d.due_at, @now
              FROM (SELECT u.*, (u.message_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = u.message_id)) AS duplicate
                      FROM unnest(@tenants, @events, @recipients, @externals, @channels, @outcomes, @reasons, @details, @messages, @due)
                        AS u(tenant, event, recipient_id, external_id, channel, outcome, reason, detail, message_id, due_at)) d
            """);
        var p = command.Parameters;
        p.AddWithValue("tenants", rows.Select(r => r.Owner.TenantId).ToArray());
        p.AddWithValue("events", rows.Select(r => r.Owner.EventId).ToArray());
        p.AddWithValue("now", now);
        p.AddWithValue("duplicate_reason", ReasonCodes.Duplicate);
        p.AddWithValue("duplicate_detail", DuplicateDetail);
        p.Add(new NpgsqlParameter("recipients", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = decisions.Select(d => d.RecipientId).ToArray() });
        p.AddWithValue("externals", decisions.Select(d => d.RecipientExternalId).ToArray());
        p.AddWithValue("channels", decisions.Select(d => d.Channel).ToArray());
        p.AddWithValue("outcomes", decisions.Select(d => d.Outcome).ToArray());
        p.Add(Text("reasons", decisions.Select(d => d.Reason)));
        p.Add(Text("details", decisions.Select(d => d.Detail is { Length: > 1000 } x ? x[..1000] : d.Detail)));
        p.Add(new NpgsqlParameter("messages", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = decisions.Select(d => d.Message?.Id).ToArray() });
        p.Add(Timestamps("due", decisions.Select(d => d.DueAt ?? d.Message?.DueAt)));
        return command;
    }

    private static NpgsqlParameter Text(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() };

    private static NpgsqlParameter Timestamps(string name, IEnumerable<DateTimeOffset?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = values.Select(v => v?.UtcDateTime).ToArray() };
}
