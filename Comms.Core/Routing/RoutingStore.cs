using Comms.Core.Digests;
using Comms.Core.Events;
using Comms.Core.Messages;
using Npgsql;

namespace Comms.Core.Routing;

/// <summary>
/// Writes one routed chunk in one transaction: the messages (a repeat of the same idempotency key
/// is skipped by the unique index and recorded as <c>COMMS_DUPLICATE</c>), their renders, every
/// decision, and the event's routing cursor (or, for the last chunk, its routed state) — fenced on the
/// lease, so a dispatcher that lost its lease writes nothing. The statements travel as one batch, so a
/// chunk costs two round trips (the batch and the commit).
/// </summary>
public sealed class RoutingStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>Writes the chunk; returns the decisions as recorded (duplicates rewritten). Throws <see cref="LeaseLostException"/>.</summary>
    public async Task<IReadOnlyList<PlannedDecision>> WriteAsync(
        EventRecord ev, string owner, IReadOnlyList<PlannedDecision> decisions, Guid? cursor, bool last, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var digests = decisions.Where(d => d.Digest is not null).Select(d => d.Digest!).ToList();
        if (digests.Count > 0)
        {
            await DigestWriter.AttachAsync(connection, transaction, ev.TenantId, ev.Id, ev.Name, ev.Category, ev.Payload, digests, now, cancellationToken);
        }

        var planned = decisions.Where(d => d.Message is not null).Select(d => d.Message!).ToList();
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (planned.Count > 0)
        {
            batch.BatchCommands.Add(RoutingCommands.InsertMessages(ev.Id, ev.TenantId, ev.TraceParent, planned, now));
            batch.BatchCommands.Add(RoutingCommands.InsertRenders(ev.TenantId, planned, now));
        }

        if (decisions.Count > 0)
        {
            batch.BatchCommands.Add(RoutingCommands.InsertDecisions(ev.Id, ev.TenantId, decisions, now));
        }

        var advance = RoutingCommands.Advance(ev.Id, owner, cursor, last, now);
        batch.BatchCommands.Add(advance);

        var inserted = new HashSet<Guid>();
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            if (planned.Count > 0)
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    inserted.Add(reader.GetGuid(0));
                }
            }
        }

        if (advance.RecordsAffected != 1)
        {
            await transaction.RollbackAsync(cancellationToken);
            throw new LeaseLostException(ev.Id);
        }

        await transaction.CommitAsync(cancellationToken);
        return decisions.Select(d => d.Message is null || inserted.Contains(d.Message.Id)
            ? d
            : d with { Outcome = DecisionOutcome.Blocked, Reason = ReasonCodes.Duplicate, Detail = RoutingCommands.DuplicateDetail, Message = null })
            .ToList();
    }

    /// <summary>Writes messages, renders and decisions within a caller's transaction (used by the digest flusher).</summary>
    internal static async Task<HashSet<Guid>> WriteMessagesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid eventId, string tenantId,
        IReadOnlyList<PlannedDecision> decisions, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var planned = decisions.Where(d => d.Message is not null).Select(d => d.Message!).ToList();
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (planned.Count > 0)
        {
            batch.BatchCommands.Add(RoutingCommands.InsertMessages(eventId, tenantId, null, planned, now));
            batch.BatchCommands.Add(RoutingCommands.InsertRenders(tenantId, planned, now));
        }

        batch.BatchCommands.Add(RoutingCommands.InsertDecisions(eventId, tenantId, decisions, now));
        var inserted = new HashSet<Guid>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (planned.Count > 0)
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                inserted.Add(reader.GetGuid(0));
            }
        }

        return inserted;
    }
}

public sealed class LeaseLostException(Guid eventId)
    : Exception($"The lease on event {eventId} was lost to another dispatcher; its routing is rolled back.");
