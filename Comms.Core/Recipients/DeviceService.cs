using Comms.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Recipients;

/// <summary>
/// The outcome of a device registration: the device (and whether it is new), null when the recipient
/// does not exist, or what is wrong with the input.
/// </summary>
public sealed record DeviceSaved(DeviceView? Device, bool Created, Dictionary<string, string[]>? Errors);

/// <summary>A recipient's push devices. A token belongs to one recipient of a tenant at a time.</summary>
public sealed class DeviceService(IDbContextFactory<CommsDbContext> contexts, TimeProvider time)
{
    public const int MaxTokenLength = 4096;
    public const int MaxDevicesListed = 100;

    public static Dictionary<string, string[]> Validate(DeviceRequest? request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request is null)
        {
            errors["body"] = ["The request body must be a JSON object: { \"provider\": \"fcm\", \"token\": \"...\" }."];
            return errors;
        }

        if (request.Provider is null || !DeviceProviders.All.Contains(request.Provider))
        {
            errors["provider"] = [$"The provider must be one of: {string.Join(", ", DeviceProviders.All.Order(StringComparer.Ordinal))}."];
        }

        if (string.IsNullOrWhiteSpace(request.Token))
        {
            errors["token"] = ["The device token is required."];
        }
        else if (request.Token.Length > MaxTokenLength || RecipientFormats.HasControlCharacters(request.Token))
        {
            errors["token"] = [$"The device token must be at most {MaxTokenLength} characters without control characters."];
        }

        return errors;
    }

    /// <summary>
    /// Registers the token for the recipient. Repeating it changes nothing; a token registered for
    /// another recipient of the tenant moves to this one (the device changed hands or accounts).
    /// </summary>
    public async Task<DeviceSaved?> RegisterAsync(
        string tenantId, string externalId, DeviceRequest? request, CancellationToken cancellationToken)
    {
        var errors = Validate(request);
        if (errors.Count > 0)
        {
            return new DeviceSaved(null, false, errors);
        }

        var (provider, token) = (request!.Provider!, request.Token!.Trim());
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var recipientId = await RecipientIdAsync(db, tenantId, externalId, cancellationToken);
            if (recipientId is null)
            {
                return null;
            }

            var device = await db.Devices
                .FirstOrDefaultAsync(d => d.TenantId == tenantId && d.Provider == provider && d.Token == token, cancellationToken);
            var created = device is null;
            if (device is null)
            {
                device = new Device
                {
                    Id = Guid.CreateVersion7(), TenantId = tenantId, RecipientId = recipientId.Value,
                    Provider = provider, Token = token, CreatedAt = time.GetUtcNow(),
                };
                db.Devices.Add(device);
            }
            else
            {
                device.RecipientId = recipientId.Value;
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return new DeviceSaved(DeviceView.From(device), created, null);
            }
            catch (DbUpdateException ex) when (created && attempt == 0 && UniqueViolation.Is(ex))
            {
                // The same token was registered concurrently: take that row over.
            }
        }
    }

    /// <summary>The recipient's devices, or null when the recipient does not exist.</summary>
    public async Task<IReadOnlyList<DeviceView>?> ListAsync(string tenantId, string externalId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var recipientId = await RecipientIdAsync(db, tenantId, externalId, cancellationToken);
        if (recipientId is null)
        {
            return null;
        }

        var devices = await db.Devices.AsNoTracking()
            .Where(d => d.TenantId == tenantId && d.RecipientId == recipientId)
            .OrderBy(d => d.CreatedAt).ThenBy(d => d.Id)
            .Take(MaxDevicesListed)
            .ToListAsync(cancellationToken);
        return devices.Select(DeviceView.From).ToList();
    }

    /// <summary>Removes one device of the recipient; false when the recipient has no such device.</summary>
    public async Task<bool> RemoveAsync(string tenantId, string externalId, Guid deviceId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var deleted = await db.Devices
            .Where(d => d.Id == deviceId && d.TenantId == tenantId
                && db.Recipients.Any(r => r.Id == d.RecipientId && r.TenantId == tenantId && r.ExternalId == externalId))
            .ExecuteDeleteAsync(cancellationToken);
        return deleted > 0;
    }

    private static Task<Guid?> RecipientIdAsync(CommsDbContext db, string tenantId, string externalId, CancellationToken cancellationToken) =>
        db.Recipients.Where(r => r.TenantId == tenantId && r.ExternalId == externalId && r.ErasedAt == null)
            .Select(r => (Guid?)r.Id).FirstOrDefaultAsync(cancellationToken);
}
