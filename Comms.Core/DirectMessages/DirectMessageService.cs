using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Comms.Core.Audit;
using Comms.Core.Data;
using Comms.Core.Events;
using Comms.Core.Queueing;
using Comms.Core.Recipients;
using Comms.Core.Routing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Comms.Core.DirectMessages;

/// <summary>The operator writing (from their token).</summary>
public sealed record DirectMessageOperator(Guid Id, string Email, string? Name)
{
    public string Actor => "operator:" + Id;
}

/// <summary>The outcome of a direct message: a receipt, or why not.</summary>
public abstract record DirectMessageOutcome
{
    public sealed record Done(DirectMessageReceipt Receipt) : DirectMessageOutcome;
    public sealed record RecipientNotFound : DirectMessageOutcome;
    public sealed record TestSendRequired : DirectMessageOutcome;
    public sealed record LimitReached(TimeSpan RetryAfter) : DirectMessageOutcome;
    public sealed record Failed(string Code, string Detail) : DirectMessageOutcome;
}

/// <summary>
/// Direct messages from an operator to one user (issue 12). A test send goes to the operator themself — through the
/// pipeline, to a recipient row the operator gets in the user's tenant (<c>sys-operator-{operatorId}</c>, the operator's
/// email, quiet hours off), so the operator sees exactly what the user will see. The real send needs a test send of the
/// same subject and body by the same operator within <see cref="TestSendWindow"/>, skips the user's <c>dm_muted</c>
/// channels (reported as suppressed), and is limited to <see cref="MaxPerDay"/> per operator per user per 24 hours:
/// the limit check, the send record, the events and the audit row are one transaction under an advisory lock on
/// (operator, user), so two concurrent sends cannot both be the last one allowed.
/// </summary>
public sealed class DirectMessageService(
    NpgsqlDataSource dataSource, IDbContextFactory<CommsDbContext> contexts, TenantCatalog catalog, CatalogChanges changes, WakeUps wakeUps,
    AuditLog audit, TimeProvider time)
{
    public const int MaxPerDay = 5;
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);
    public static readonly TimeSpan TestSendWindow = TimeSpan.FromMinutes(30);

    public const string TestSendAction = "sys.user.direct_message.test_send";
    public const string SentAction = "sys.user.direct_message.sent";
    public const string FailedAction = "sys.user.direct_message.failed";
    public const string SuppressedDmMuted = "dm_muted";

    /// <summary>Hex SHA-256 of subject and body (a NUL between them, so the split is unambiguous).</summary>
    public static string ContentHash(string subject, string body) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(subject + "\0" + body)));

    public async Task<DirectMessageOutcome> SendAsync(DirectMessageOperator sender, Guid recipientId, DirectMessageRequest request, CancellationToken cancellationToken)
    {
        Recipient? user;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            user = await db.Recipients.AsNoTracking().SingleOrDefaultAsync(r => r.Id == recipientId && r.ErasedAt == null, cancellationToken);
        }

        if (user is null)
        {
            return new DirectMessageOutcome.RecipientNotFound();
        }

        var snapshot = await SnapshotAsync(user.TenantId, cancellationToken);
        if (snapshot is null)
        {
            return new DirectMessageOutcome.RecipientNotFound();
        }

        var now = time.GetUtcNow();
        var hash = ContentHash(request.Subject!, request.Body!);
        var channels = request.Channels!;
        var target = request.TestSend ? await OperatorRecipients.EnsureAsync(dataSource, sender, user.TenantId, now, cancellationToken) : user.ExternalId;
        var muted = request.TestSend ? [] : user.DmMutedChannels;

        var receipts = new List<DirectMessageChannelReceipt>();
        var events = new List<EventRecord>();
        var id = Guid.CreateVersion7(now);
        using var payload = JsonSerializer.SerializeToDocument(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["subject"] = request.Subject!, ["body"] = request.Body!,
        });
        foreach (var channel in channels)
        {
            if (muted.Contains(channel, StringComparer.Ordinal))
            {
                receipts.Add(new DirectMessageChannelReceipt(channel, "suppressed", SuppressedDmMuted));
                continue;
            }

            var submission = new EventSubmission
            {
                Name = DirectMessageBuiltIns.EventName(channel), Recipients = [target], CauseRef = $"sys-dm:{id}", Payload = payload.RootElement,
                Actor = sender.Actor,
            };
            var (record, problem) = await EventAdmission.AdmitAsync(snapshot, submission, null, null, now);
            if (problem is not null)
            {
                await audit.AppendAsync(user.TenantId, sender.Actor, FailedAction, Target(user.Id),
                    new { reason = request.Reason, testSend = request.TestSend, channel, error = problem.Code }, cancellationToken);
                return new DirectMessageOutcome.Failed(problem.Code, problem.Detail);
            }

            events.Add(record!);
            receipts.Add(new DirectMessageChannelReceipt(channel, "queued", null));
        }

        var receipt = new DirectMessageReceipt(id, user.Id, user.TenantId, request.TestSend, receipts, [.. events.Select(e => e.Id)], now);
        var outcome = await WriteAsync(sender, user, request, hash, receipt, events, now, cancellationToken);
        if (events.Count > 0 && outcome is DirectMessageOutcome.Done)
        {
            await wakeUps.PublishAsync(WakeUps.Events);
        }

        return outcome;
    }

    private static string Target(Guid recipientId) => "recipient:" + recipientId;

    /// <summary>Checks the test-send gate and the daily limit, then records the send, its events and its audit row, atomically.</summary>
    private async Task<DirectMessageOutcome> WriteAsync(
        DirectMessageOperator sender, Recipient user, DirectMessageRequest request, string hash, DirectMessageReceipt receipt, List<EventRecord> events,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", $"sys-dm:{sender.Id}:{user.Id}");
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        if (!request.TestSend)
        {
            await using (var gate = new NpgsqlCommand("""
                SELECT EXISTS (SELECT 1 FROM sys_direct_messages
                                WHERE operator_id = @operator AND recipient_id = @recipient AND kind = 'test_send'
                                  AND content_hash = @hash AND sent_at > @since)
                """, connection, transaction))
            {
                gate.Parameters.AddWithValue("operator", sender.Id);
                gate.Parameters.AddWithValue("recipient", user.Id);
                gate.Parameters.AddWithValue("hash", hash);
                gate.Parameters.AddWithValue("since", now - TestSendWindow);
                if (await gate.ExecuteScalarAsync(cancellationToken) is not true)
                {
                    return new DirectMessageOutcome.TestSendRequired();
                }
            }

            await using var count = new NpgsqlCommand("""
                SELECT count(*), min(sent_at) FROM sys_direct_messages
                 WHERE operator_id = @operator AND recipient_id = @recipient AND kind = 'sent' AND sent_at > @since
                """, connection, transaction);
            count.Parameters.AddWithValue("operator", sender.Id);
            count.Parameters.AddWithValue("recipient", user.Id);
            count.Parameters.AddWithValue("since", now - Window);
            await using var reader = await count.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (reader.GetInt64(0) >= MaxPerDay)
            {
                var oldest = reader.GetFieldValue<DateTimeOffset>(1);
                var retryAfter = oldest + Window - now;
                return new DirectMessageOutcome.LimitReached(retryAfter > TimeSpan.Zero ? retryAfter : TimeSpan.FromSeconds(1));
            }
        }

        await using (var insert = new NpgsqlCommand("""
            INSERT INTO sys_direct_messages (id, tenant_id, operator_id, recipient_id, kind, content_hash, sent_at)
            VALUES (@id, @tenant, @operator, @recipient, @kind, @hash, @now)
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("id", receipt.Id);
            insert.Parameters.AddWithValue("tenant", user.TenantId);
            insert.Parameters.AddWithValue("operator", sender.Id);
            insert.Parameters.AddWithValue("recipient", user.Id);
            insert.Parameters.AddWithValue("kind", request.TestSend ? DirectMessageKinds.TestSend : DirectMessageKinds.Sent);
            insert.Parameters.AddWithValue("hash", hash);
            insert.Parameters.AddWithValue("now", now);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        if (events.Count > 0)
        {
            await IntakeBatch.InsertEventsAsync(connection, transaction, events, cancellationToken);
        }

        // The reason and the receipt; never the subject or body (only their hash).
        await audit.AppendAsync(connection, transaction, user.TenantId, sender.Actor, request.TestSend ? TestSendAction : SentAction, Target(user.Id),
            new { reason = request.Reason, contentHash = hash, receipt }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Diagnostics.CommsTelemetry.EventsAccepted.Add(events.Count);
        return new DirectMessageOutcome.Done(receipt);
    }

    /// <summary>The tenant's snapshot with the direct-message rules (added now if the tenant lacks them).</summary>
    private async Task<TenantSnapshot?> SnapshotAsync(string tenantId, CancellationToken cancellationToken)
    {
        var snapshot = await catalog.GetAsync(tenantId, cancellationToken);
        if (snapshot is not null && DirectMessageBuiltIns.Channels.Any(c => snapshot.RuleFor(DirectMessageBuiltIns.EventName(c)) is null)
            && await DirectMessageBuiltIns.EnsureAsync(contexts, tenantId, time.GetUtcNow(), cancellationToken))
        {
            await changes.PublishAsync(tenantId);
            snapshot = await catalog.GetAsync(tenantId, cancellationToken);
        }

        return snapshot;
    }
}
