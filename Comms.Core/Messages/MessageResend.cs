using Comms.Core.Audit;
using Comms.Core.Data;
using Comms.Core.Preferences;
using Comms.Core.Queueing;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Messages;

/// <summary>What a resend did: messages put back in the queue, and messages left as they were because their address is suppressed.</summary>
public sealed record ResendResult(IReadOnlyList<Guid> Requeued, IReadOnlyList<Guid> Suppressed);

/// <summary>
/// Re-sends dead letters (SPEC S4): a <c>failed</c> or <c>bounced</c> message goes back in the queue as the same message
/// (same id, same render, so the idempotency of its event and the receivers' deduplication hold), with its attempts reset,
/// due now. A message whose address is on the tenant's suppression list is not requeued (the check routing made is made
/// again here). Every requeued message is written to the audit log (<c>message.resend</c>) in the same transaction.
/// </summary>
public sealed class MessageResend(IDbContextFactory<CommsDbContext> contexts, AuditLog audit, WakeUps wakeUps, TimeProvider time)
{
    public async Task<ResendResult> ResendAsync(
        string tenantId, Func<CommsDbContext, IQueryable<Message>, IQueryable<Message>> select, int max, string actor, bool bulk, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var resendable = MessageStatus.Resendable.ToArray();
        // An erased recipient's messages are never sent again (SPEC S11): their address and content are tombstones.
        var candidates = await select(db, db.Messages.AsNoTracking().Where(m => m.TenantId == tenantId && resendable.Contains(m.Status)
                && !db.Recipients.Any(r => r.Id == m.RecipientId && r.ErasedAt != null)))
            .OrderByDescending(m => m.Id).Take(max)
            .Select(m => new { m.Id, m.Channel, m.Address, m.Status }).ToListAsync(cancellationToken);
        if (candidates.Count == 0)
        {
            return new ResendResult([], []);
        }

        var hashes = candidates.Where(c => c.Address is not null).Select(c => Suppression.Hash(c.Address!)).Distinct().ToArray();
        var suppressed = (await db.Suppressions.AsNoTracking().Where(s => s.TenantId == tenantId && hashes.Contains(s.AddressHash))
                .Select(s => new { s.Channel, s.AddressHash }).ToListAsync(cancellationToken))
            .Select(s => (s.Channel, s.AddressHash)).ToHashSet();
        bool IsSuppressed(string channel, string? address) => address is not null && suppressed.Contains((channel, Suppression.Hash(address)));
        var blocked = candidates.Where(c => IsSuppressed(c.Channel, c.Address)).Select(c => c.Id).ToList();
        var ids = candidates.Where(c => !IsSuppressed(c.Channel, c.Address)).Select(c => c.Id).ToArray();

        var now = time.GetUtcNow();
        var requeued = ids.Length == 0 ? [] : await db.Database.SqlQuery<Guid>($"""
            UPDATE messages SET status = 'queued', attempts = 0, due_at = {now}, last_error = NULL, failed_at = NULL, sent_at = NULL,
                   provider_message_id = NULL, lease_owner = NULL, lease_until = NULL, claim_token = NULL
             WHERE tenant_id = {tenantId} AND id = ANY({ids}) AND status = ANY({resendable})
               AND NOT EXISTS (SELECT 1 FROM recipients r WHERE r.id = messages.recipient_id AND r.erased_at IS NOT NULL)
            RETURNING id AS "Value"
            """).ToListAsync(cancellationToken);
        var previous = candidates.ToDictionary(c => c.Id, c => c.Status);
        foreach (var id in requeued)
        {
            audit.Add(db, tenantId, actor, AuditActions.MessageResend, "message:" + id, new { previousStatus = previous[id], bulk });
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var channel in candidates.Where(c => requeued.Contains(c.Id)).Select(c => c.Channel).Distinct())
        {
            await wakeUps.PublishAsync(WakeUps.MessagesFor(channel));
        }

        return new ResendResult(requeued, blocked);
    }
}
