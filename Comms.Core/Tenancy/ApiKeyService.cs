using Comms.Core.Data;
using Comms.Core.Recipients;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Tenancy;

/// <summary>A new API key: a name to recognise it by and its roles (none: it may post events and read).</summary>
public sealed record ApiKeyRequest(string? Name, List<string>? Roles);

/// <summary>An API key as lists show it: never the key itself or its hash.</summary>
public sealed record ApiKeyView(Guid Id, string Name, string Prefix, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public static ApiKeyView From(ApiKey key) => new(key.Id, key.Name, key.Prefix, key.Roles, key.CreatedAt, key.RevokedAt);
}

/// <summary>A key just created. <see cref="Key"/> is shown this once; only its hash is stored.</summary>
public sealed record CreatedApiKey(Guid Id, string Name, string Prefix, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, string Key);

public enum ApiKeyRevocation
{
    Revoked,
    AlreadyRevoked,
    NotFound,

    /// <summary>Refused: the key is the tenant's last active admin key, so nobody could manage keys any more.</summary>
    LastAdminKey,
}

/// <summary>Creates, lists and revokes a tenant's API keys.</summary>
public sealed class ApiKeyService(IDbContextFactory<CommsDbContext> contexts, ApiKeyStore store, TimeProvider time)
{
    public const int MaxNameLength = 200;

    public static Dictionary<string, string[]> Validate(ApiKeyRequest? request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request is null)
        {
            errors["body"] = ["The request body must be a JSON object: { \"name\": \"...\", \"roles\": [\"editor\"] }."];
            return errors;
        }

        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors["name"] = ["A name is required, so that the key can be recognised in lists."];
        }
        else if (name.Length > MaxNameLength || RecipientFormats.HasControlCharacters(name))
        {
            errors["name"] = [$"The name must be at most {MaxNameLength} characters without control characters."];
        }

        var roles = request.Roles ?? [];
        for (var i = 0; i < roles.Count; i++)
        {
            if (roles[i] is null || !ApiKeyRoles.All.Contains(roles[i]))
            {
                errors[$"roles[{i}]"] = [$"{RecipientFormats.Quote(roles[i])} is not a role; the roles are: {string.Join(", ", ApiKeyRoles.All.Order(StringComparer.Ordinal))}."];
            }
        }

        return errors;
    }

    /// <summary>Creates a key for the tenant; the caller must have validated <paramref name="request"/>.</summary>
    public async Task<CreatedApiKey> CreateAsync(string tenantId, ApiKeyRequest request, CancellationToken cancellationToken)
    {
        var (key, prefix) = ApiKeySecrets.Generate();
        var entity = new ApiKey
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenantId,
            Name = request.Name!.Trim(),
            Prefix = prefix,
            KeyHash = ApiKeySecrets.Hash(key),
            Roles = [.. (request.Roles ?? []).Distinct(StringComparer.Ordinal)],
            CreatedAt = time.GetUtcNow(),
        };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ApiKeys.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedApiKey(entity.Id, entity.Name, entity.Prefix, entity.Roles, entity.CreatedAt, key);
    }

    /// <summary>The tenant's keys, newest first, revoked ones included.</summary>
    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.TenantId == tenantId)
            .OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id)
            .ToListAsync(cancellationToken);
        return keys.Select(ApiKeyView.From).ToList();
    }

    public async Task<ApiKeyView?> GetAsync(string tenantId, Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.TenantId == tenantId && k.Id == id, cancellationToken);
        return key is null ? null : ApiKeyView.From(key);
    }

    /// <summary>
    /// Revokes a key. The tenant row is locked while the last-admin check runs, so two admin keys
    /// revoking each other at the same moment cannot leave the tenant without one. The revocation takes
    /// effect at once in this process and within <see cref="ApiKeyStore.CacheTtl"/> in the others.
    /// </summary>
    public async Task<ApiKeyRevocation> RevokeAsync(string tenantId, Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM tenants WHERE id = {tenantId} FOR UPDATE", cancellationToken);

        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.TenantId == tenantId && k.Id == id, cancellationToken);
        if (key is null)
        {
            return ApiKeyRevocation.NotFound;
        }

        if (key.RevokedAt is not null)
        {
            return ApiKeyRevocation.AlreadyRevoked;
        }

        if (key.Roles.Contains(ApiKeyRoles.Admin)
            && !await db.ApiKeys.AnyAsync(k => k.TenantId == tenantId && k.Id != id && k.RevokedAt == null && k.Roles.Contains(ApiKeyRoles.Admin), cancellationToken))
        {
            return ApiKeyRevocation.LastAdminKey;
        }

        key.RevokedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        store.Forget();
        return ApiKeyRevocation.Revoked;
    }
}
