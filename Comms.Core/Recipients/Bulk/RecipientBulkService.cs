using Comms.Core.Preferences;
using Comms.Core.Routing;
using Npgsql;

namespace Comms.Core.Recipients.Bulk;

/// <summary>
/// Bulk sync of a tenant's recipients (<c>POST /v1/recipients/bulk</c>). Each item is checked alone with the rules of
/// the single endpoints; the valid ones are stored together in one transaction of a few set-based statements
/// (<see cref="RecipientBulkStore"/>), and each gets its outcome: created, updated, unchanged (nothing written) or invalid.
/// </summary>
public sealed class RecipientBulkService(NpgsqlDataSource dataSource, TenantCatalog catalog, TimeProvider time)
{
    private const int MaxAttempts = 3;

    public async Task<BulkRecipientsResponse> SyncAsync(
        string tenantId, IReadOnlyList<BulkRecipientItem?> items, CancellationToken cancellationToken)
    {
        var categories = (await catalog.GetAsync(tenantId, cancellationToken))?.Categories ?? Categories.BuiltIn;
        var validation = RecipientBulkValidator.Validate(items, categories);
        var erased = await ErasedAsync(tenantId, validation.Valid, cancellationToken);
        var valid = erased.Count == 0 ? validation.Valid : [.. validation.Valid.Where(p => !erased.Contains(p.Changes.ExternalId))];
        var stored = valid.Count == 0
            ? []
            : await StoreAsync(tenantId, valid, cancellationToken);

        var results = new BulkRecipientResult[items.Count];
        foreach (var (index, errors) in validation.Invalid)
        {
            results[index] = new BulkRecipientResult(index, items[index]?.ExternalId, BulkOutcome.Invalid, null, errors);
        }

        foreach (var plan in validation.Valid.Where(p => erased.Contains(p.Changes.ExternalId)))
        {
            // As the single upsert answers 409: an erased person is never brought back by a sync replaying a stale copy.
            results[plan.Index] = new BulkRecipientResult(plan.Index, plan.Changes.ExternalId, BulkOutcome.Invalid, null,
                new Dictionary<string, string[]>(StringComparer.Ordinal)
                {
                    [$"recipients[{plan.Index}].externalId"] = ["This recipient was erased (COMMS_RECIPIENT_ERASED): its external id cannot be used again."],
                });
        }

        foreach (var plan in valid)
        {
            var (id, outcome) = stored[plan.Index];
            results[plan.Index] = new BulkRecipientResult(plan.Index, plan.Changes.ExternalId, outcome, id, null);
        }

        return new BulkRecipientsResponse(results,
            results.Count(r => r.Outcome == BulkOutcome.Created),
            results.Count(r => r.Outcome == BulkOutcome.Updated),
            results.Count(r => r.Outcome == BulkOutcome.Unchanged),
            results.Count(r => r.Outcome == BulkOutcome.Invalid));
    }

    /// <summary>The external ids among the items that belong to an erased recipient (found by their tombstone).</summary>
    private async Task<HashSet<string>> ErasedAsync(string tenantId, IReadOnlyList<BulkRecipientPlan> plans, CancellationToken cancellationToken)
    {
        var erased = new HashSet<string>(StringComparer.Ordinal);
        if (plans.Count == 0)
        {
            return erased;
        }

        var byTombstone = plans.Select(p => p.Changes.ExternalId).Distinct(StringComparer.Ordinal)
            .ToDictionary(Privacy.ErasedIds.Tombstone, id => id, StringComparer.Ordinal);
        await using var command = dataSource.CreateCommand(
            "SELECT external_id FROM recipients WHERE tenant_id = @tenant AND external_id = ANY(@tombstones) AND erased_at IS NOT NULL");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("tombstones", byTombstone.Keys.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            erased.Add(byTombstone[reader.GetString(0)]);
        }

        return erased;
    }

    /// <summary>Stores the valid items in one transaction, retried whole when PostgreSQL picks it as a deadlock victim.</summary>
    private async Task<Dictionary<int, (Guid Id, BulkOutcome Outcome)>> StoreAsync(
        string tenantId, IReadOnlyList<BulkRecipientPlan> plans, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                var stored = await WriteAsync(connection, transaction, tenantId, plans, time.GetUtcNow(), cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return stored;
            }
            catch (PostgresException ex) when (attempt < MaxAttempts && ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                // Two calls touched the same devices in a different order: run this one again.
            }
        }
    }

    private static async Task<Dictionary<int, (Guid Id, BulkOutcome Outcome)>> WriteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId, IReadOnlyList<BulkRecipientPlan> plans,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<int, (Guid Id, BulkOutcome Outcome)>(plans.Count);
        var pending = plans.OrderBy(p => p.Changes.ExternalId, StringComparer.Ordinal).ToList();
        for (var round = 0; pending.Count > 0; round++)
        {
            var existing = await RecipientBulkStore.LockAsync(connection, transaction, tenantId, pending.Select(p => p.Changes.ExternalId), cancellationToken);
            var rows = new List<Recipient>(pending.Count);
            foreach (var plan in pending)
            {
                // The same change the single upsert applies, to the stored row or to a new one with the entity's defaults.
                var row = existing.GetValueOrDefault(plan.Changes.ExternalId) ?? new Recipient
                {
                    Id = Guid.CreateVersion7(now), TenantId = tenantId, ExternalId = plan.Changes.ExternalId, CreatedAt = now, UpdatedAt = now,
                };
                plan.Changes.ApplyTo(row);
                rows.Add(row);
            }

            var written = await RecipientBulkStore.UpsertAsync(connection, transaction, tenantId, rows, now, cancellationToken);
            var raced = new List<BulkRecipientPlan>();
            for (var i = 0; i < pending.Count; i++)
            {
                var externalId = pending[i].Changes.ExternalId;
                if (written.TryGetValue(externalId, out var inserted))
                {
                    stored[pending[i].Index] = (rows[i].Id, inserted ? BulkOutcome.Created : BulkOutcome.Updated);
                }
                else if (existing.ContainsKey(externalId))
                {
                    stored[pending[i].Index] = (rows[i].Id, BulkOutcome.Unchanged);
                }
                else if (round == 0)
                {
                    raced.Add(pending[i]); // created by another request meanwhile: apply the change to that row next round
                }
                else
                {
                    throw new InvalidOperationException($"Recipient {RecipientFormats.Quote(externalId)} was neither stored nor found.");
                }
            }

            pending = raced;
        }

        var changed = await WriteDevicesAndPreferencesAsync(connection, transaction, tenantId, plans, stored, now, cancellationToken);
        foreach (var plan in plans)
        {
            if (stored[plan.Index] is (var id, BulkOutcome.Unchanged) && changed.Contains(id))
            {
                stored[plan.Index] = (id, BulkOutcome.Updated);
            }
        }

        return stored;
    }

    /// <summary>Registers the items' devices and sets their preferences; returns the recipients where either changed.</summary>
    private static async Task<HashSet<Guid>> WriteDevicesAndPreferencesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId, IReadOnlyList<BulkRecipientPlan> plans,
        Dictionary<int, (Guid Id, BulkOutcome Outcome)> stored, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var changed = new HashSet<Guid>();
        var devices = plans.SelectMany(p => p.Devices.Select(d => (stored[p.Index].Id, d.Provider, d.Token))).ToList();
        if (devices.Count > 0)
        {
            changed.UnionWith(await RecipientBulkStore.RegisterDevicesAsync(connection, transaction, tenantId, devices, now, cancellationToken));
        }

        var preferences = plans.SelectMany(p => p.Preferences.Select(c => (stored[p.Index].Id, c))).ToList();
        if (preferences.Count > 0)
        {
            var withNewPreferences = await RecipientBulkStore.SetPreferencesAsync(connection, transaction, tenantId, preferences, now, cancellationToken);
            // As PUT .../preferences does, a preference change marks the recipient updated (rows just written already are).
            var unchanged = stored.Values.Where(s => s.Outcome == BulkOutcome.Unchanged).Select(s => s.Id).ToHashSet();
            var untouched = withNewPreferences.Where(unchanged.Contains).ToList();
            if (untouched.Count > 0)
            {
                await RecipientBulkStore.TouchAsync(connection, transaction, untouched, now, cancellationToken);
            }

            changed.UnionWith(withNewPreferences);
        }

        return changed;
    }
}
