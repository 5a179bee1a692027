using System.Text.Json;
using System.Text.Json.Nodes;
using Comms.Core.Data;
using Comms.Core.Messages;
using Comms.Core.Queueing;
using Comms.Core.Routing;
using Comms.Core.Templates;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Comms.Core.Digests;

/// <summary>
/// Flushes digest windows whose time has come into exactly one summary message each. Windows are
/// taken with <c>FOR UPDATE SKIP LOCKED</c> and closed, rendered and queued in one transaction, so two
/// dispatchers never flush the same window and a crash flushes it again from the start. The digest
/// template sees <c>events</c> (the payloads, oldest first), <c>count</c>, <c>first</c>, <c>last</c> and <c>digest_key</c>.
/// </summary>
public sealed class DigestFlusher(
    NpgsqlDataSource dataSource,
    IDbContextFactory<CommsDbContext> contexts,
    TenantCatalog catalog,
    ContentRenderer renderer,
    WakeUps wakeUps,
    TimeProvider time)
{
    private sealed record OpenWindow(Guid Id, string TenantId, Guid RecipientId, string Channel, string DigestKey, string EventName, string Category);

    /// <summary>Flushes up to <paramref name="limit"/> due windows; returns how many were flushed.</summary>
    public async Task<int> FlushDueAsync(int limit, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var windows = await CloseDueWindowsAsync(connection, transaction, now, limit, cancellationToken);
        var queued = new HashSet<string>();
        foreach (var window in windows)
        {
            if (await FlushAsync(connection, transaction, window, now, cancellationToken) is { } channel)
            {
                queued.Add(channel);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        foreach (var channel in queued)
        {
            await wakeUps.PublishAsync(WakeUps.MessagesFor(channel));
        }

        return windows.Count;
    }

    /// <summary>When the next open window is due.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT min(flush_at) FROM digests WHERE status = 'open'");
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DateTime dt ? new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)) : null;
    }

    private static async Task<List<OpenWindow>> CloseDueWindowsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            UPDATE digests d SET status = 'flushed', flushed_at = @now
             WHERE d.id IN (SELECT id FROM digests WHERE status = 'open' AND flush_at <= @now
                            ORDER BY flush_at LIMIT @limit FOR UPDATE SKIP LOCKED)
            RETURNING d.id, d.tenant_id, d.recipient_id, d.channel, d.digest_key, d.event_name, d.category
            """, connection, transaction);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("limit", limit);
        var windows = new List<OpenWindow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            windows.Add(new OpenWindow(reader.GetGuid(0), reader.GetString(1), reader.GetGuid(2), reader.GetString(3),
                reader.GetString(4), reader.GetString(5), reader.GetString(6)));
        }

        return windows;
    }

    private async Task<string?> FlushAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, OpenWindow window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var entries = await EntriesAsync(connection, transaction, window.Id, cancellationToken);
        var snapshot = await catalog.GetAsync(window.TenantId, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var recipient = await db.Recipients.AsNoTracking().FirstOrDefaultAsync(r => r.Id == window.RecipientId, cancellationToken);
        if (entries.Count == 0 || snapshot is null || recipient is null)
        {
            return null;
        }

        var rule = snapshot.RuleFor(window.EventName);
        var templateName = rule?.DigestTemplateName ?? rule?.TemplateName ?? window.EventName;
        var chain = LocaleChain.Build(recipient.Locale, null, null, snapshot.Tenant.DefaultLocale);
        var template = snapshot.FindTemplate(templateName, window.Channel, chain);
        var firstEvent = entries[0].EventId;
        if (template is null)
        {
            await RoutingStore.WriteMessagesAsync(connection, transaction, firstEvent, window.TenantId,
                [new PlannedDecision(recipient.Id, recipient.ExternalId, window.Channel, DecisionOutcome.Blocked, ReasonCodes.NoTemplate,
                    $"No published '{templateName}' digest template for {window.Channel}.")], now, cancellationToken);
            return null;
        }

        using var payload = JsonDocument.Parse(DigestPayload(window, entries).ToJsonString());
        var content = await renderer.RenderAsync(window.Channel, template.Content, payload.RootElement);
        if (RenderChecks.Check(window.Channel, content, snapshot.Links) is { } invalid)
        {
            await RoutingStore.WriteMessagesAsync(connection, transaction, firstEvent, window.TenantId,
                [new PlannedDecision(recipient.Id, recipient.ExternalId, window.Channel, DecisionOutcome.Blocked, ReasonCodes.RenderInvalid,
                    $"Digest '{window.DigestKey}': {invalid.Describe()}")], now, cancellationToken);
            return null;
        }

        var category = snapshot.Category(window.Category);
        var quiet = category is { Critical: false } && DeliveryPolicy.InterruptiveChannels.Contains(window.Channel)
            && !recipient.QuietHoursExceptions.Contains(window.Category)
            ? ChannelPlanner.QuietHoursOf(recipient, snapshot)?.DeferUntil(now)
            : null;
        var facts = await RecipientFacts.LoadAsync(dataSource, window.TenantId, [recipient], [window.Category], cancellationToken);
        var address = facts.AddressFor(recipient, window.Channel);
        if (address is null)
        {
            await RoutingStore.WriteMessagesAsync(connection, transaction, firstEvent, window.TenantId,
                [new PlannedDecision(recipient.Id, recipient.ExternalId, window.Channel, DecisionOutcome.Blocked, ReasonCodes.NoAddress,
                    $"The recipient has no {window.Channel} address for the digest.")], now, cancellationToken);
            return null;
        }

        var message = new PlannedMessage(Guid.CreateVersion7(), recipient.Id, window.Channel, window.Category, template.Name,
            template.Version ?? 0, template.Locale, null, $"digest:{window.Id}", address, quiet ?? now, null, content);

        await RoutingStore.WriteMessagesAsync(connection, transaction, firstEvent, window.TenantId,
            [new PlannedDecision(recipient.Id, recipient.ExternalId, window.Channel,
                quiet is null ? DecisionOutcome.Queued : DecisionOutcome.Deferred, quiet is null ? null : ReasonCodes.QuietHours,
                $"Digest '{window.DigestKey}' of {entries.Count} events.", message, message.DueAt)],
            now, cancellationToken);

        await using var finish = new NpgsqlCommand(
            "UPDATE digests SET event_count = @count, message_id = @message WHERE id = @id", connection, transaction);
        finish.Parameters.AddWithValue("count", entries.Count);
        finish.Parameters.AddWithValue("message", message.Id);
        finish.Parameters.AddWithValue("id", window.Id);
        await finish.ExecuteNonQueryAsync(cancellationToken);
        return window.Channel;
    }

    private static JsonObject DigestPayload(OpenWindow window, List<(Guid EventId, string Payload)> entries)
    {
        var events = new JsonArray(entries.Select(e => JsonNode.Parse(e.Payload)).ToArray());
        return new JsonObject
        {
            ["events"] = events,
            ["count"] = entries.Count,
            ["first"] = JsonNode.Parse(entries[0].Payload),
            ["last"] = JsonNode.Parse(entries[^1].Payload),
            ["digest_key"] = window.DigestKey,
        };
    }

    private static async Task<List<(Guid EventId, string Payload)>> EntriesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid digestId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT event_id, payload::text FROM digest_entries WHERE digest_id = @id ORDER BY id", connection, transaction);
        command.Parameters.AddWithValue("id", digestId);
        var entries = new List<(Guid, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add((reader.GetGuid(0), reader.GetString(1)));
        }

        return entries;
    }
}
