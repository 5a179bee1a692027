using System.Text.Json;
using System.Text.Json.Nodes;
using Comms.Core.Data;
using Comms.Core.Messages;
using Comms.Core.Routing;
using Comms.Core.Templates;
using Comms.Core.Unsubscribe;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Comms.Core.Digests;

/// <summary>What a flush did: whether the claim still held the window, and the channel a message was queued on.</summary>
public sealed record DigestFlushOutcome(bool Held, string? QueuedChannel);

/// <summary>
/// Flushes one claimed digest window (see <see cref="DigestQueue"/>) into exactly one summary message, in one
/// transaction fenced on the claim: a crash or a lost lease flushes it again from the start, and the message's
/// idempotency key (<c>digest:{window}</c>) makes a repeat harmless. Memory is bounded whatever the window's size:
/// the template sees <c>events</c> (the first <see cref="MaxEventsRendered"/> payloads, oldest first), <c>count</c>
/// (all of them), <c>omitted</c> (those not in <c>events</c>), <c>first</c>, <c>last</c> and <c>digest_key</c>; the
/// other entries are counted in the database, never read.
/// </summary>
public sealed class DigestFlusher(
    NpgsqlDataSource dataSource,
    IDbContextFactory<CommsDbContext> contexts,
    TenantCatalog catalog,
    ContentRenderer renderer,
    UnsubscribeLinks unsubscribe,
    Links.LinkTracking tracking,
    TimeProvider time)
{
    public const int MaxEventsRendered = 100;

    private sealed record Entries(int Count, IReadOnlyList<(Guid EventId, string Payload)> First, string? LastPayload);

    public async Task<DigestFlushOutcome> FlushAsync(ClaimedDigest window, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var entries = await ReadEntriesAsync(connection, transaction, window.Id, cancellationToken);
        var (messageId, channel) = entries.Count == 0
            ? (null, null)
            : await WriteSummaryAsync(connection, transaction, window, entries, now, cancellationToken);

        if (!await DigestQueue.CompleteAsync(connection, transaction, window.Claim, entries.Count, messageId, now, cancellationToken))
        {
            await transaction.RollbackAsync(cancellationToken);
            return new DigestFlushOutcome(false, null);
        }

        await transaction.CommitAsync(cancellationToken);
        return new DigestFlushOutcome(true, channel);
    }

    /// <summary>Renders and queues the summary (or records why it cannot be sent); returns the message and its channel, if any.</summary>
    private async Task<(Guid? MessageId, string? Channel)> WriteSummaryAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, ClaimedDigest window, Entries entries, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var snapshot = await catalog.GetAsync(window.TenantId, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var recipient = await db.Recipients.AsNoTracking().FirstOrDefaultAsync(r => r.Id == window.RecipientId, cancellationToken);
        if (snapshot is null || recipient is null)
        {
            return (null, null);
        }

        var rule = snapshot.RuleFor(window.EventName);
        var templateName = rule?.DigestTemplateName ?? rule?.TemplateName ?? window.EventName;
        var chain = LocaleChain.Build(recipient.Locale, null, null, snapshot.Tenant.DefaultLocale);
        var template = snapshot.FindTemplate(templateName, window.Channel, chain);
        var firstEvent = entries.First[0].EventId;
        Task Blocked(string reason, string detail) => RoutingStore.WriteMessagesAsync(connection, transaction, firstEvent, window.TenantId,
            [new PlannedDecision(recipient.Id, recipient.ExternalId, window.Channel, DecisionOutcome.Blocked, reason, detail)], now, cancellationToken);

        if (template is null)
        {
            await Blocked(ReasonCodes.NoTemplate, $"No published '{templateName}' digest template for {window.Channel}.");
            return (null, null);
        }

        var category = snapshot.Category(window.Category);
        var unsubscribeUrl = category is null ? null : unsubscribe.For(window.TenantId, recipient.Id, category, window.Channel);
        using var payload = JsonDocument.Parse(DigestPayload(window, entries).ToJsonString());
        var content = await renderer.RenderAsync(window.Channel, template.Content, payload.RootElement,
            TemplateBuiltIns.For(recipient, snapshot.Tenant, null, window.EventName, window.Category, unsubscribeUrl));
        if (window.Channel == Channel.Sms)
        {
            content = Sms.SmsFooter.Apply(content, template.Locale);
        }

        if (RenderChecks.Check(window.Channel, content, snapshot.Links) is { } invalid)
        {
            await Blocked(ReasonCodes.RenderInvalid, $"Digest '{window.DigestKey}': {invalid.Describe()}");
            return (null, null);
        }

        var quiet = category is { Critical: false } && DeliveryPolicy.InterruptiveChannels.Contains(window.Channel)
            && !recipient.QuietHoursExceptions.Contains(window.Category)
            ? ChannelPlanner.QuietHoursOf(recipient, snapshot)?.DeferUntil(now)
            : null;
        var facts = await RecipientFacts.LoadAsync(dataSource, window.TenantId, [recipient], [window.Category], cancellationToken);
        var address = facts.AddressFor(recipient, window.Channel);
        if (address is null)
        {
            await Blocked(ReasonCodes.NoAddress, $"The recipient has no {window.Channel} address for the digest.");
            return (null, null);
        }

        var id = Guid.CreateVersion7();
        content = tracking.Apply(content, new Links.LinkTrackingContext(
            window.TenantId, id, window.Channel, window.Category, template.Name, template.Marketing, snapshot.Tenant.LinkTracking));
        var message = new PlannedMessage(id, recipient.Id, window.Channel, window.Category, template.Name,
            template.Version ?? 0, template.Locale, null, $"digest:{window.Id}", address, quiet ?? now, null, content, unsubscribeUrl);
        await RoutingStore.WriteMessagesAsync(connection, transaction, firstEvent, window.TenantId,
            [new PlannedDecision(recipient.Id, recipient.ExternalId, window.Channel,
                quiet is null ? DecisionOutcome.Queued : DecisionOutcome.Deferred, quiet is null ? null : ReasonCodes.QuietHours,
                $"Digest '{window.DigestKey}' of {entries.Count} events.", message, message.DueAt)],
            now, cancellationToken);
        return (message.Id, window.Channel);
    }

    private static JsonObject DigestPayload(ClaimedDigest window, Entries entries) => new()
    {
        ["events"] = new JsonArray(entries.First.Select(e => JsonNode.Parse(e.Payload)).ToArray()),
        ["count"] = entries.Count,
        ["omitted"] = entries.Count - entries.First.Count,
        ["first"] = JsonNode.Parse(entries.First[0].Payload),
        ["last"] = JsonNode.Parse(entries.LastPayload ?? entries.First[^1].Payload),
        ["digest_key"] = window.DigestKey,
    };

    /// <summary>One round trip: how many entries, the first <see cref="MaxEventsRendered"/> of them, and the last.</summary>
    private static async Task<Entries> ReadEntriesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid digestId, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(Command("SELECT count(*)::int FROM digest_entries WHERE digest_id = @id", digestId));
        var first = Command("SELECT event_id, payload::text FROM digest_entries WHERE digest_id = @id ORDER BY id LIMIT @limit", digestId);
        first.Parameters.AddWithValue("limit", MaxEventsRendered);
        batch.BatchCommands.Add(first);
        batch.BatchCommands.Add(Command("SELECT payload::text FROM digest_entries WHERE digest_id = @id ORDER BY id DESC LIMIT 1", digestId));

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var count = reader.GetInt32(0);
        await reader.NextResultAsync(cancellationToken);
        var entries = new List<(Guid, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add((reader.GetGuid(0), reader.GetString(1)));
        }

        await reader.NextResultAsync(cancellationToken);
        var last = await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : null;
        return new Entries(count, entries, last);
    }

    private static NpgsqlBatchCommand Command(string sql, Guid digestId)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddWithValue("id", digestId);
        return command;
    }
}
