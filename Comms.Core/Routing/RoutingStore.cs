using System.Text.Json;
using Comms.Core.Digests;
using Comms.Core.Events;
using Npgsql;
using NpgsqlTypes;

namespace Comms.Core.Routing;

/// <summary>
/// Writes one routed chunk in one transaction: the messages (a repeat of the same idempotency key
/// is skipped by the unique index and recorded as <c>COMMS_DUPLICATE</c>), their renders, every
/// decision, and the event's routing cursor — fenced on the lease, so a dispatcher that lost its lease
/// writes nothing.
/// </summary>
public sealed class RoutingStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Writes the chunk; returns the decisions as recorded (duplicates rewritten). Throws <see cref="LeaseLostException"/>.</summary>
    public async Task<IReadOnlyList<PlannedDecision>> WriteAsync(
        EventRecord ev, string owner, IReadOnlyList<PlannedDecision> decisions, Guid? cursor, CancellationToken cancellationToken)
    {
        var (eventId, tenantId, traceParent) = (ev.Id, ev.TenantId, ev.TraceParent);
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var planned = decisions.Where(d => d.Message is not null).Select(d => d.Message!).ToList();
        var inserted = await InsertMessagesAsync(connection, transaction, eventId, tenantId, traceParent, planned, now, cancellationToken);
        var recorded = decisions.Select(d => d.Message is null || inserted.Contains(d.Message.Id)
            ? d
            : d with { Outcome = Messages.DecisionOutcome.Blocked, Reason = Messages.ReasonCodes.Duplicate,
                       Detail = "A message with the same template version, recipient, cause and channel exists.", Message = null })
            .ToList();

        await InsertRendersAsync(connection, transaction, tenantId, planned.Where(m => inserted.Contains(m.Id)).ToList(), now, cancellationToken);
        await InsertDecisionsAsync(connection, transaction, eventId, tenantId, recorded, now, cancellationToken);
        var digests = decisions.Where(d => d.Digest is not null).Select(d => d.Digest!).ToList();
        if (digests.Count > 0)
        {
            await DigestWriter.AttachAsync(connection, transaction, tenantId, eventId, ev.Name, ev.Category, ev.Payload, digests, now, cancellationToken);
        }

        await using (var advance = new NpgsqlCommand(
            "UPDATE events SET routing_cursor = @cursor WHERE id = @id AND lease_owner = @owner", connection, transaction))
        {
            advance.Parameters.AddWithValue("id", eventId);
            advance.Parameters.AddWithValue("owner", owner);
            advance.Parameters.Add(new NpgsqlParameter("cursor", NpgsqlDbType.Uuid) { Value = (object?)cursor ?? DBNull.Value });
            if (await advance.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                throw new LeaseLostException(eventId);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return recorded;
    }

    internal static async Task<HashSet<Guid>> InsertMessagesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid eventId, string tenantId, string? traceParent,
        List<PlannedMessage> messages, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var inserted = new HashSet<Guid>();
        if (messages.Count == 0)
        {
            return inserted;
        }

        await using var command = new NpgsqlCommand("""
            INSERT INTO messages (id, tenant_id, event_id, recipient_id, channel, category, template_name, template_version,
                                  locale, variant, cause_ref, address, status, due_at, attempts, escalation_of, trace_parent, created_at)
            SELECT u.id, @tenant, @event, u.recipient_id, u.channel, u.category, u.template_name, u.template_version,
                   u.locale, u.variant, u.cause_ref, u.address, 'queued', u.due_at, 0, u.escalation_of, @trace, @now
              FROM unnest(@ids, @recipients, @channels, @categories, @templates, @versions, @locales, @variants,
                          @causes, @addresses, @due, @escalations)
                AS u(id, recipient_id, channel, category, template_name, template_version, locale, variant,
                     cause_ref, address, due_at, escalation_of)
            ON CONFLICT (template_name, template_version, recipient_id, cause_ref, channel) DO NOTHING
            RETURNING id
            """, connection, transaction);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("event", eventId);
        command.Parameters.Add(new NpgsqlParameter("trace", NpgsqlDbType.Text) { Value = (object?)traceParent ?? DBNull.Value });
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("ids", messages.Select(m => m.Id).ToArray());
        command.Parameters.AddWithValue("recipients", messages.Select(m => m.RecipientId).ToArray());
        command.Parameters.AddWithValue("channels", messages.Select(m => m.Channel).ToArray());
        command.Parameters.AddWithValue("categories", messages.Select(m => m.Category).ToArray());
        command.Parameters.AddWithValue("templates", messages.Select(m => m.TemplateName).ToArray());
        command.Parameters.AddWithValue("versions", messages.Select(m => m.TemplateVersion).ToArray());
        command.Parameters.Add(TextArray("locales", messages.Select(m => m.Locale)));
        command.Parameters.Add(TextArray("variants", messages.Select(m => m.Variant)));
        command.Parameters.AddWithValue("causes", messages.Select(m => m.CauseRef).ToArray());
        command.Parameters.Add(TextArray("addresses", messages.Select(m => m.Address)));
        command.Parameters.Add(new NpgsqlParameter("due", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
        {
            Value = messages.Select(m => m.DueAt.UtcDateTime).ToArray(),
        });
        command.Parameters.Add(new NpgsqlParameter("escalations", NpgsqlDbType.Array | NpgsqlDbType.Uuid)
        {
            Value = messages.Select(m => m.EscalationOf).ToArray(),
        });

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            inserted.Add(reader.GetGuid(0));
        }

        return inserted;
    }

    internal static async Task InsertRendersAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId,
        List<PlannedMessage> messages, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand("""
            INSERT INTO message_renders (message_id, tenant_id, content, created_at)
            SELECT u.id, @tenant, u.content::jsonb, @now FROM unnest(@ids, @contents) AS u(id, content)
            """, connection, transaction);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("ids", messages.Select(m => m.Id).ToArray());
        command.Parameters.AddWithValue("contents", messages.Select(m => JsonSerializer.Serialize(m.Content, Json)).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static async Task InsertDecisionsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid eventId, string tenantId,
        List<PlannedDecision> decisions, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (decisions.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand("""
            INSERT INTO decisions (tenant_id, event_id, recipient_id, recipient_external_id, channel, outcome, reason, detail,
                                   message_id, due_at, created_at)
            SELECT @tenant, @event, u.recipient_id, u.external_id, u.channel, u.outcome, u.reason, u.detail, u.message_id, u.due_at, @now
              FROM unnest(@recipients, @externals, @channels, @outcomes, @reasons, @details, @messages, @due)
                AS u(recipient_id, external_id, channel, outcome, reason, detail, message_id, due_at)
            """, connection, transaction);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("event", eventId);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.Add(new NpgsqlParameter("recipients", NpgsqlDbType.Array | NpgsqlDbType.Uuid)
        {
            Value = decisions.Select(d => d.RecipientId).ToArray(),
        });
        command.Parameters.AddWithValue("externals", decisions.Select(d => d.RecipientExternalId).ToArray());
        command.Parameters.AddWithValue("channels", decisions.Select(d => d.Channel).ToArray());
        command.Parameters.AddWithValue("outcomes", decisions.Select(d => d.Outcome).ToArray());
        command.Parameters.Add(TextArray("reasons", decisions.Select(d => d.Reason)));
        command.Parameters.Add(TextArray("details", decisions.Select(d => d.Detail is { Length: > 1000 } x ? x[..1000] : d.Detail)));
        command.Parameters.Add(new NpgsqlParameter("messages", NpgsqlDbType.Array | NpgsqlDbType.Uuid)
        {
            Value = decisions.Select(d => d.Message?.Id).ToArray(),
        });
        command.Parameters.Add(new NpgsqlParameter("due", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
        {
            Value = decisions.Select(d => (d.DueAt ?? d.Message?.DueAt)?.UtcDateTime).ToArray(),
        });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter TextArray(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() };
}

public sealed class LeaseLostException(Guid eventId)
    : Exception($"The lease on event {eventId} was lost to another dispatcher; its routing is rolled back.");
