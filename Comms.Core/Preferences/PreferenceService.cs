using System.Linq.Expressions;
using Comms.Core.Data;
using Comms.Core.Recipients;
using Comms.Core.Routing;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Preferences;

/// <summary>The outcome of a preference center update.</summary>
public abstract record PreferenceResult
{
    public sealed record Saved(PreferenceMatrix Matrix) : PreferenceResult;

    /// <summary>The user has no recipient row in the tenant.</summary>
    public sealed record NotFound : PreferenceResult;

    public sealed record Invalid(Dictionary<string, string[]> Errors) : PreferenceResult;

    /// <summary>The update tried to turn off rows that are locked (critical categories); nothing was stored.</summary>
    public sealed record Locked(IReadOnlyList<LockedPreference> Rows) : PreferenceResult;
}

/// <summary>
/// Reads and stores a user's preference center: overrides as <see cref="Preference"/> rows, quiet hours,
/// time zone and the channels with direct messages muted on the <see cref="Recipient"/>, all in one transaction.
/// The API (<c>/me</c>, <c>/v1/recipients</c>), the Web's preference page and the unsubscribe links all write
/// through it, so every one of them has the same rules.
/// </summary>
public sealed class PreferenceService(IDbContextFactory<CommsDbContext> contexts, TenantCatalog catalog, TimeProvider time)
{
    /// <summary>The user's matrix, or null when the user (or the tenant) does not exist.</summary>
    public Task<PreferenceMatrix?> GetAsync(string tenantId, string externalId, CancellationToken cancellationToken) =>
        GetAsync(tenantId, r => r.ExternalId == externalId && r.ErasedAt == null, cancellationToken);

    /// <summary>The matrix of the recipient with this row id (an unsubscribe link names it), or null.</summary>
    public Task<PreferenceMatrix?> GetByIdAsync(string tenantId, Guid recipientId, CancellationToken cancellationToken) =>
        GetAsync(tenantId, r => r.Id == recipientId && r.ErasedAt == null, cancellationToken);

    public Task<PreferenceResult> UpdateAsync(
        string tenantId, string externalId, PreferenceUpdate? update, CancellationToken cancellationToken) =>
        UpdateAsync(tenantId, r => r.ExternalId == externalId && r.ErasedAt == null, update, cancellationToken);

    /// <summary>Updates the recipient with this row id (an unsubscribe link names it), with the same rules as <see cref="UpdateAsync(string, string, PreferenceUpdate?, CancellationToken)"/>.</summary>
    public Task<PreferenceResult> UpdateByIdAsync(
        string tenantId, Guid recipientId, PreferenceUpdate? update, CancellationToken cancellationToken) =>
        UpdateAsync(tenantId, r => r.Id == recipientId && r.ErasedAt == null, update, cancellationToken);

    private async Task<PreferenceMatrix?> GetAsync(
        string tenantId, Expression<Func<Recipient, bool>> which, CancellationToken cancellationToken)
    {
        var snapshot = await catalog.GetAsync(tenantId, cancellationToken);
        if (snapshot is null)
        {
            return null;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var recipient = await db.Recipients.AsNoTracking().Where(r => r.TenantId == tenantId).FirstOrDefaultAsync(which, cancellationToken);
        if (recipient is null)
        {
            return null;
        }

        var overrides = await db.Preferences.AsNoTracking()
            .Where(p => p.TenantId == tenantId && p.RecipientId == recipient.Id)
            .ToListAsync(cancellationToken);
        return Build(snapshot, recipient, overrides);
    }

    private async Task<PreferenceResult> UpdateAsync(
        string tenantId, Expression<Func<Recipient, bool>> which, PreferenceUpdate? update, CancellationToken cancellationToken)
    {
        var snapshot = await catalog.GetAsync(tenantId, cancellationToken);
        if (snapshot is null)
        {
            return new PreferenceResult.NotFound();
        }

        var validation = PreferenceCenter.Validate(update, snapshot.Categories);
        if (validation.Errors.Count > 0)
        {
            return new PreferenceResult.Invalid(validation.Errors);
        }

        if (validation.Locked.Count > 0)
        {
            return new PreferenceResult.Locked(validation.Locked);
        }

        var valid = validation.Update!;
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var recipient = await db.Recipients.Where(r => r.TenantId == tenantId).FirstOrDefaultAsync(which, cancellationToken);
            if (recipient is null)
            {
                return new PreferenceResult.NotFound();
            }

            var now = time.GetUtcNow();
            var overrides = await db.Preferences
                .Where(p => p.TenantId == tenantId && p.RecipientId == recipient.Id)
                .ToListAsync(cancellationToken);
            var inserted = false;
            foreach (var change in valid.Changes)
            {
                var row = overrides.FirstOrDefault(p => p.Category == change.Category && p.Channel == change.Channel);
                if (row is null)
                {
                    row = new Preference { TenantId = tenantId, RecipientId = recipient.Id, Category = change.Category!, Channel = change.Channel! };
                    db.Preferences.Add(row);
                    overrides.Add(row);
                    inserted = true;
                }

                row.Enabled = change.Enabled!.Value;
                row.UpdatedAt = now;
            }

            valid.QuietHours?.ApplyTo(recipient);
            recipient.TimeZone = valid.TimeZone ?? recipient.TimeZone;
            if (valid.DmMuted is not null)
            {
                recipient.DmMutedChannels = valid.DmMutedAfter(recipient.DmMutedChannels);
            }

            recipient.UpdatedAt = now;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return new PreferenceResult.Saved(Build(snapshot, recipient, overrides));
            }
            catch (DbUpdateException ex) when (inserted && attempt == 0 && UniqueViolation.Is(ex))
            {
                // A concurrent update inserted the same row first: apply this one over it.
            }
        }
    }

    private static PreferenceMatrix Build(TenantSnapshot snapshot, Recipient recipient, IEnumerable<Preference> overrides) =>
        PreferenceCenter.Build(snapshot.Categories, overrides, QuietHoursView.From(recipient),
            recipient.TimeZone ?? snapshot.Tenant.DefaultTimeZone, recipient.DmMutedChannels);
}
