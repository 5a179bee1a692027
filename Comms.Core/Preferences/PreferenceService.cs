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
/// Reads and stores a user's preference center: overrides as <see cref="Preference"/> rows, quiet hours
/// and time zone on the <see cref="Recipient"/>, all in one transaction.
/// </summary>
public sealed class PreferenceService(IDbContextFactory<CommsDbContext> contexts, TenantCatalog catalog, TimeProvider time)
{
    /// <summary>The user's matrix, or null when the user (or the tenant) does not exist.</summary>
    public async Task<PreferenceMatrix?> GetAsync(string tenantId, string externalId, CancellationToken cancellationToken)
    {
        var snapshot = await catalog.GetAsync(tenantId, cancellationToken);
        if (snapshot is null)
        {
            return null;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var recipient = await db.Recipients.AsNoTracking()
            .FirstOrDefaultAsync(r => r.TenantId == tenantId && r.ExternalId == externalId, cancellationToken);
        if (recipient is null)
        {
            return null;
        }

        var overrides = await db.Preferences.AsNoTracking()
            .Where(p => p.TenantId == tenantId && p.RecipientId == recipient.Id)
            .ToListAsync(cancellationToken);
        return Build(snapshot, recipient, overrides);
    }

    public async Task<PreferenceResult> UpdateAsync(
        string tenantId, string externalId, PreferenceUpdate? update, CancellationToken cancellationToken)
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
            var recipient = await db.Recipients
                .FirstOrDefaultAsync(r => r.TenantId == tenantId && r.ExternalId == externalId, cancellationToken);
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
            recipient.TimeZone ?? snapshot.Tenant.DefaultTimeZone);
}
