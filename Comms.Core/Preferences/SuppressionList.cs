using Comms.Core.Audit;
using Comms.Core.Data;
using Comms.Core.Feedback;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Preferences;

/// <summary>A search of one tenant's suppression list; the address is hashed as stored, never kept.</summary>
public sealed record SuppressionFilter(string TenantId, string? Address, string? Channel, string? Reason, string? Source);

/// <summary>
/// Where a suppression came from, derived from its reason: <see cref="Feedback"/> (a provider's hard bounce or spam
/// complaint), <see cref="Sms"/> (the recipient's STOP, <c>sms_*</c>, or the SMS provider's opt-out, <c>twilio_*</c>) or <see cref="Other"/>.
/// </summary>
public static class SuppressionSources
{
    public const string Feedback = "provider_feedback";
    public const string Sms = "sms_opt_out";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Feedback, Sms, Other];

    public static string Of(string reason) =>
        reason is FeedbackService.BounceReason or FeedbackService.ComplaintReason ? Feedback
        : reason.StartsWith("sms_", StringComparison.Ordinal) || reason.StartsWith("twilio_", StringComparison.Ordinal) ? Sms
        : Other;
}

/// <summary>
/// The suppression list as operators see it (the console's <c>/admin/suppressions</c>): searched by address (hashed on
/// lookup, as <see cref="Suppression.Hash"/> stores it), channel, reason and source; and re-permitting an address —
/// deleting its suppression — with the consent note that justifies it, audited <c>suppression.repermitted</c> with the
/// note and never the address.
/// </summary>
public sealed class SuppressionList(IDbContextFactory<CommsDbContext> contexts, AuditLog audit)
{
    /// <summary>The shortest consent note accepted.</summary>
    public const int MinNoteLength = 10;

    public async Task<IReadOnlyList<Suppression>> SearchAsync(SuppressionFilter filter, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Suppressions.AsNoTracking().Where(s => s.TenantId == filter.TenantId);
        if (!string.IsNullOrWhiteSpace(filter.Address))
        {
            var hash = Suppression.Hash(filter.Address);
            query = query.Where(s => s.AddressHash == hash);
        }

        if (!string.IsNullOrWhiteSpace(filter.Channel))
        {
            query = query.Where(s => s.Channel == filter.Channel);
        }

        if (!string.IsNullOrWhiteSpace(filter.Reason))
        {
            query = query.Where(s => s.Reason == filter.Reason);
        }

        query = filter.Source switch
        {
            SuppressionSources.Feedback => query.Where(s => s.Reason == FeedbackService.BounceReason || s.Reason == FeedbackService.ComplaintReason),
            SuppressionSources.Sms => query.Where(s => s.Reason.StartsWith("sms_") || s.Reason.StartsWith("twilio_")),
            SuppressionSources.Other => query.Where(s => s.Reason != FeedbackService.BounceReason && s.Reason != FeedbackService.ComplaintReason && !s.Reason.StartsWith("sms_") && !s.Reason.StartsWith("twilio_")),
            _ => query,
        };
        return await query.OrderByDescending(s => s.CreatedAt).ThenBy(s => s.Channel).ThenBy(s => s.AddressHash)
            .Skip(skip).Take(take).ToListAsync(cancellationToken);
    }

    public async Task<Suppression?> GetAsync(string tenantId, string channel, string addressHash, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Suppressions.AsNoTracking()
            .FirstOrDefaultAsync(s => s.TenantId == tenantId && s.Channel == channel && s.AddressHash == addressHash, cancellationToken);
    }

    /// <summary>The consent note's problem, or null when it is good enough.</summary>
    public static string? ValidateNote(string? note) =>
        (note?.Trim().Length ?? 0) < MinNoteLength
            ? $"Document the recipient's consent: a note of at least {MinNoteLength} characters (when and how they asked to receive again)."
            : null;

    /// <summary>Deletes the suppression and audits it; false when there was none (re-permitted already).</summary>
    public async Task<bool> RepermitAsync(string tenantId, string channel, string addressHash, string note, string actor, CancellationToken cancellationToken)
    {
        if (ValidateNote(note) is { } problem)
        {
            throw new ArgumentException(problem, nameof(note));
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Suppressions.FirstOrDefaultAsync(s => s.TenantId == tenantId && s.Channel == channel && s.AddressHash == addressHash, cancellationToken);
        if (row is null)
        {
            return false;
        }

        var reason = row.Reason;
        if (await db.Suppressions.Where(s => s.TenantId == tenantId && s.Channel == channel && s.AddressHash == addressHash).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return false;
        }

        await audit.AppendAsync(tenantId, actor, "suppression.repermitted", $"suppression:{channel}:{addressHash}",
            new { channel, reason, note = note.Trim() }, cancellationToken);
        return true;
    }
}
