using Comms.Core.Preferences;
using Comms.Core.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Comms.Core.Unsubscribe;

/// <summary>What the unsubscribe page shows: whose list it is, the category of the link and whether the user still gets it.</summary>
/// <param name="OtherSubscribed">The other categories the user still gets on the link's channel and could turn off too (not critical ones).</param>
public sealed record UnsubscribeView(
    string TenantName, string Category, string? Description, string Channel, bool Subscribed, IReadOnlyList<string> OtherSubscribed);

/// <summary>The outcome of an unsubscribe action.</summary>
public abstract record UnsubscribeResult
{
    /// <summary>Stored; <paramref name="Changed"/> are the categories whose state this action changed (what an undo restores).</summary>
    public sealed record Done(UnsubscribeView View, IReadOnlyList<string> Changed) : UnsubscribeResult;

    /// <summary>The recipient, the tenant or the category no longer exists.</summary>
    public sealed record Gone : UnsubscribeResult;

    /// <summary>The category is critical now: it cannot be turned off (COMMS_PREF_LOCKED); nothing was stored.</summary>
    public sealed record Locked : UnsubscribeResult;

    /// <summary>An undo named categories that do not exist; nothing was stored.</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : UnsubscribeResult;
}

/// <summary>
/// The actions behind an unsubscribe link (RFC 8058 one-click, and the page it opens): turn the link's category off on
/// its channel, turn off every non-critical category on that channel, or undo either. The link's token is the only
/// credential; everything is written through <see cref="PreferenceService"/>, so critical categories stay locked.
/// </summary>
public sealed partial class UnsubscribeService(
    PreferenceService preferences, TenantCatalog catalog, IOptions<UnsubscribeOptions> options, TimeProvider time,
    ILogger<UnsubscribeService> logger)
{
    public UnsubscribeTokenCheck Check(string? token)
    {
        var check = UnsubscribeToken.Check(token, options.Value.VerificationKeys, time.GetUtcNow());
        if (check.State != UnsubscribeTokenState.Valid)
        {
            LogRefused(logger, check.State);
        }

        return check;
    }

    public async Task<UnsubscribeView?> ViewAsync(UnsubscribeClaims claims, CancellationToken cancellationToken)
    {
        var snapshot = await catalog.GetAsync(claims.TenantId, cancellationToken);
        var matrix = snapshot is null ? null : await preferences.GetByIdAsync(claims.TenantId, claims.RecipientId, cancellationToken);
        return matrix is null ? null : View(snapshot!.Tenant.Name, matrix, claims);
    }

    /// <summary>The one-click action: the link's category off on its channel. Repeating it changes nothing and succeeds.</summary>
    public Task<UnsubscribeResult> OptOutAsync(UnsubscribeClaims claims, CancellationToken cancellationToken) =>
        SetAsync(claims, "one-click", view => view.Subscribed ? [claims.Category] : [], enabled: false, cancellationToken);

    /// <summary>Every category the user may turn off on the link's channel, off (critical ones stay on).</summary>
    public Task<UnsubscribeResult> OptOutAllAsync(UnsubscribeClaims claims, CancellationToken cancellationToken) =>
        SetAsync(claims, "all", view => [.. view.Subscribed ? [claims.Category] : Array.Empty<string>(), .. view.OtherSubscribed],
            enabled: false, cancellationToken);

    /// <summary>The undo: these categories (the link's own when none are given) back on, on the link's channel.</summary>
    public Task<UnsubscribeResult> ResubscribeAsync(UnsubscribeClaims claims, IReadOnlyList<string> categories, CancellationToken cancellationToken) =>
        SetAsync(claims, "undo", _ => categories.Count == 0 ? [claims.Category] : categories.Distinct(StringComparer.Ordinal).ToList(),
            enabled: true, cancellationToken);

    private async Task<UnsubscribeResult> SetAsync(
        UnsubscribeClaims claims, string action, Func<UnsubscribeView, IReadOnlyList<string>> categoriesOf, bool enabled,
        CancellationToken cancellationToken)
    {
        var before = await ViewAsync(claims, cancellationToken);
        if (before is null)
        {
            return new UnsubscribeResult.Gone();
        }

        var categories = categoriesOf(before);
        if (categories.Count == 0)
        {
            return new UnsubscribeResult.Done(before, []);
        }

        var update = new PreferenceUpdate([.. categories.Select(c => new PreferenceChange(c, claims.Channel, enabled))], null, null);
        var result = await preferences.UpdateByIdAsync(claims.TenantId, claims.RecipientId, update, cancellationToken);
        switch (result)
        {
            case PreferenceResult.Saved saved when View(before.TenantName, saved.Matrix, claims) is { } after:
                LogChanged(logger, action, claims.TenantId, claims.Category, claims.Channel, categories.Count);
                return new UnsubscribeResult.Done(after, categories);
            case PreferenceResult.Locked:
                return new UnsubscribeResult.Locked();
            case PreferenceResult.Invalid invalid:
                return new UnsubscribeResult.Invalid(invalid.Errors);
            default:
                return new UnsubscribeResult.Gone();
        }
    }

    private static UnsubscribeView? View(string tenantName, PreferenceMatrix matrix, UnsubscribeClaims claims)
    {
        var row = matrix.Categories.FirstOrDefault(r => r.Category == claims.Category);
        var cell = row?.Channels.FirstOrDefault(c => c.Channel == claims.Channel);
        if (row is null || cell is null)
        {
            return null;
        }

        var others = matrix.Categories
            .Where(r => r.Category != claims.Category)
            .Where(r => r.Channels.Any(c => c.Channel == claims.Channel && c.Enabled && !c.Locked))
            .Select(r => r.Category)
            .ToList();
        return new UnsubscribeView(tenantName, row.Category, row.Description, claims.Channel, cell.Enabled, others);
    }

    [LoggerMessage(1, LogLevel.Information, "An unsubscribe link was refused: {State}")]
    private static partial void LogRefused(ILogger logger, UnsubscribeTokenState state);

    [LoggerMessage(2, LogLevel.Information, "Unsubscribe ({Action}) in tenant '{Tenant}' from a '{Category}' {Channel} link changed {Count} categories")]
    private static partial void LogChanged(ILogger logger, string action, string tenant, string category, string channel, int count);
}
