using System.Text.RegularExpressions;
using Comms.Core.Auth;
using Comms.Core.Data;
using Comms.Core.Recipients;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Comms.Core.Webhooks;

/// <summary>A new endpoint: <c>url</c>, the <c>eventTypes</c> it receives (<c>*</c> for all), an optional <c>description</c>.</summary>
public sealed record WebhookEndpointRequest(string? Url, IReadOnlyList<string>? EventTypes, string? Description, bool? Enabled);

/// <summary>A change to an endpoint: only the fields given change.</summary>
public sealed record WebhookEndpointUpdate(string? Url, IReadOnlyList<string>? EventTypes, string? Description, bool? Enabled);

/// <summary>An endpoint as lists show it: never its secret.</summary>
public sealed record WebhookEndpointView(
    Guid Id, string Url, IReadOnlyList<string> EventTypes, string? Description, bool Enabled, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>An endpoint just created, or whose secret was just rotated: <see cref="Secret"/> is shown this once.</summary>
public sealed record WebhookEndpointWithSecret(
    Guid Id, string Url, IReadOnlyList<string> EventTypes, string? Description, bool Enabled, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    string Secret);

/// <summary>
/// An endpoint a delivery goes to, with its secret in the clear (dispatcher only); null when it cannot be decrypted
/// with the configured <c>Comms:Auth:SecretEncryptionKey</c> (or a previous one).
/// </summary>
public sealed record WebhookTarget(Guid Id, string Url, string? Secret);

/// <summary>Creates, lists, changes, deletes and rotates a tenant's webhook endpoints; finds the ones a delivery goes to.</summary>
public sealed partial class WebhookEndpointService(
    IDbContextFactory<CommsDbContext> contexts, SigningSecretProtector protector, IOptions<WebhookOptions> options, TimeProvider time)
{
    public const string AllEvents = "*";
    public const int MaxEventTypes = 50;
    public const int MaxDescriptionLength = 256;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
    private static partial Regex EventNamePattern();

    public bool AllowPrivateTargets => options.Value.AllowPrivateTargets;

    /// <summary>The input errors of a create (<paramref name="creating"/>) or an update, by JSON path; the target check comes after.</summary>
    public static Dictionary<string, string[]> Validate(string? url, IReadOnlyList<string>? eventTypes, string? description, bool creating, bool allowPrivate)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if ((creating || url is not null) && WebhookTargets.CheckUrl(url, allowPrivate) is { } urlProblem)
        {
            errors["url"] = [urlProblem];
        }

        if (creating || eventTypes is not null)
        {
            if (eventTypes is null || eventTypes.Count == 0 || eventTypes.Count > MaxEventTypes)
            {
                errors["eventTypes"] = [$"Give 1-{MaxEventTypes} event names (e.g. [\"order.shipped\"]), or [\"*\"] for every event."];
            }
            else
            {
                for (var i = 0; i < eventTypes.Count; i++)
                {
                    if (eventTypes[i] is not AllEvents && (eventTypes[i] is null || !EventNamePattern().IsMatch(eventTypes[i])))
                    {
                        errors[$"eventTypes[{i}]"] = [$"{RecipientFormats.Quote(eventTypes[i])} is not an event name (1-128 letters, digits and '.', '_', ':', '-') or \"*\"."];
                    }
                }
            }
        }

        if (description is not null && (description.Length > MaxDescriptionLength || RecipientFormats.HasControlCharacters(description)))
        {
            errors["description"] = [$"The description is at most {MaxDescriptionLength} characters without control characters."];
        }

        return errors;
    }

    public async Task<WebhookEndpointWithSecret> CreateAsync(string tenantId, WebhookEndpointRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var secret = WebhookSignature.NewSecret();
        var endpoint = new WebhookEndpoint
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, Url = request.Url!, Description = request.Description,
            EventTypes = request.EventTypes!.Distinct(StringComparer.Ordinal).ToArray(), Enabled = request.Enabled ?? true,
            ProtectedSecret = "", CreatedAt = now, UpdatedAt = now,
        };
        endpoint.ProtectedSecret = Protect(endpoint, secret);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(cancellationToken);
        return WithSecret(endpoint, secret);
    }

    public async Task<IReadOnlyList<WebhookEndpointView>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(e => e.TenantId == tenantId)
            .OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).ToListAsync(cancellationToken);
        return endpoints.Select(View).ToList();
    }

    public async Task<WebhookEndpointView?> GetAsync(string tenantId, Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var endpoint = await db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(e => e.TenantId == tenantId && e.Id == id, cancellationToken);
        return endpoint is null ? null : View(endpoint);
    }

    /// <summary>Applies the fields given; null when the tenant has no such endpoint.</summary>
    public async Task<WebhookEndpointView?> UpdateAsync(string tenantId, Guid id, WebhookEndpointUpdate update, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.TenantId == tenantId && e.Id == id, cancellationToken);
        if (endpoint is null)
        {
            return null;
        }

        endpoint.Url = update.Url ?? endpoint.Url;
        endpoint.EventTypes = update.EventTypes?.Distinct(StringComparer.Ordinal).ToArray() ?? endpoint.EventTypes;
        endpoint.Description = update.Description ?? endpoint.Description;
        endpoint.Enabled = update.Enabled ?? endpoint.Enabled;
        endpoint.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return View(endpoint);
    }

    public async Task<bool> DeleteAsync(string tenantId, Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.WebhookEndpoints.Where(e => e.TenantId == tenantId && e.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    /// <summary>Replaces the secret at once (the old one no longer signs anything); null when the tenant has no such endpoint.</summary>
    public async Task<WebhookEndpointWithSecret?> RotateSecretAsync(string tenantId, Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.TenantId == tenantId && e.Id == id, cancellationToken);
        if (endpoint is null)
        {
            return null;
        }

        var secret = WebhookSignature.NewSecret();
        endpoint.ProtectedSecret = Protect(endpoint, secret);
        endpoint.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return WithSecret(endpoint, secret);
    }

    /// <summary>The tenant's enabled endpoints subscribed to <paramref name="eventName"/> (or to every event), with their secrets.</summary>
    public async Task<IReadOnlyList<WebhookTarget>> TargetsAsync(string tenantId, string? eventName, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var endpoints = await db.WebhookEndpoints.AsNoTracking()
            .Where(e => e.TenantId == tenantId && e.Enabled
                        && (e.EventTypes.Contains(AllEvents) || (eventName != null && e.EventTypes.Contains(eventName))))
            .OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).ToListAsync(cancellationToken);
        return endpoints.Select(e => new WebhookTarget(e.Id, e.Url, protector.Unprotect(e.TenantId, SealedName(e.Id), e.ProtectedSecret))).ToList();
    }

    /// <summary>One of the tenant's endpoints with its secret, if it exists and is enabled (status webhook deliveries).</summary>
    public async Task<WebhookTarget?> EnabledTargetAsync(string tenantId, Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var e = await db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(e => e.TenantId == tenantId && e.Id == id && e.Enabled, cancellationToken);
        return e is null ? null : new WebhookTarget(e.Id, e.Url, protector.Unprotect(e.TenantId, SealedName(e.Id), e.ProtectedSecret));
    }

    private string Protect(WebhookEndpoint endpoint, string secret) => protector.Protect(endpoint.TenantId, SealedName(endpoint.Id), secret);

    /// <summary>Bound into the sealed secret, so it decrypts only on its own endpoint's row.</summary>
    private static string SealedName(Guid id) => "webhook-endpoint:" + id;

    private static WebhookEndpointView View(WebhookEndpoint e) => new(e.Id, e.Url, e.EventTypes, e.Description, e.Enabled, e.CreatedAt, e.UpdatedAt);

    private static WebhookEndpointWithSecret WithSecret(WebhookEndpoint e, string secret) =>
        new(e.Id, e.Url, e.EventTypes, e.Description, e.Enabled, e.CreatedAt, e.UpdatedAt, secret);
}
