using System.Text.RegularExpressions;
using Comms.Core.Data;
using Comms.Core.Email;
using Comms.Core.Preferences;
using Comms.Core.Templates;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Tenancy;

/// <summary>Create or change a tenant (platform operators only). Fields left out keep their value.</summary>
/// <param name="AllowedLinkSchemes">Link schemes beyond https/http that rendered messages may carry, e.g. <c>["myapp"]</c>; <c>[]</c> clears them.</param>
/// <param name="Plan">The rate-limit plan, a name under <c>Comms:RateLimits:Plans</c>; <c>""</c> returns to the default limits.</param>
/// <param name="SmsCategories">The categories that may go out by SMS (the cost gate), e.g. <c>["security", "booking"]</c>; <c>[]</c> allows none.</param>
/// <param name="EmailProvider">The email provider of the tenant's messages (<c>smtp</c> or <c>sendgrid</c>, one this deployment configured); <c>""</c> returns to the deployment's default.</param>
public sealed record TenantRequest(
    string? Id, string? Name, string? DefaultLocale, string? DefaultTimeZone, List<string?>? AllowedLinkSchemes = null, string? Plan = null,
    string? EmailProvider = null)
{
    public List<string?>? SmsCategories { get; init; }

    /// <summary>Whether links in the tenant's emails and in-app items are tracked (SPEC S11; default true).</summary>
    public bool? LinkTracking { get; init; }
    /// <summary>Days the tenant's delivery records, renders, decisions and inbox items are kept (1-36500); <c>0</c> returns to the deployment's default.</summary>
    public int? RetentionDays { get; init; }
}

public sealed record TenantView(
    string Id, string Name, string DefaultLocale, string DefaultTimeZone, IReadOnlyList<string> AllowedLinkSchemes, string? Plan,
    DateTimeOffset CreatedAt, string? EmailProvider = null)
{
    /// <summary>The categories that may go out by SMS (the cost gate).</summary>
    public IReadOnlyList<string> SmsCategories { get; init; } = [];

    /// <summary>Whether links in the tenant's emails and in-app items are tracked (SPEC S11).</summary>
    public bool LinkTracking { get; init; } = true;
    /// <summary>Days the tenant's delivery records are kept; null = the deployment's default (<c>Comms:Retention:DefaultDays</c>).</summary>
    public int? RetentionDays { get; init; }

    public static TenantView From(Tenant tenant) => new(
        tenant.Id, tenant.Name, tenant.DefaultLocale, tenant.DefaultTimeZone, tenant.AllowedLinkSchemes, tenant.Plan, tenant.CreatedAt,
        tenant.EmailProvider)
    {
        SmsCategories = tenant.SmsCategories,
        LinkTracking = tenant.LinkTracking,
        RetentionDays = tenant.RetentionDays,
    };
}

/// <summary>A new tenant and its first admin API key, shown this once.</summary>
public sealed record TenantCreated(TenantView Tenant, Guid AdminKeyId, string AdminKey, string AdminKeyPrefix);

/// <summary>Tenants: the customer organisations. Creating one also creates its first admin API key.</summary>
public sealed partial class TenantService(IDbContextFactory<CommsDbContext> contexts, TimeProvider time)
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,62}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex PlanPattern();

    public static Dictionary<string, string[]> Validate(
        TenantRequest? request, bool creating, IReadOnlyCollection<string>? knownPlans = null, IReadOnlyCollection<string>? emailProviders = null)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request is null)
        {
            errors["body"] = ["The request body must be a JSON object."];
            return errors;
        }

        if (creating && (request.Id is null || !IdPattern().IsMatch(request.Id)))
        {
            errors["id"] = ["The tenant id is a slug of 2-63 lower-case letters, digits and '-', starting with a letter or digit (e.g. 'acme')."];
        }

        if ((creating || request.Name is not null) && (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200))
        {
            errors["name"] = ["The name is required and at most 200 characters."];
        }

        if (request.DefaultLocale is not null && (request.DefaultLocale.Length > 35 || LocaleChain.Normalize(request.DefaultLocale) is null))
        {
            errors["defaultLocale"] = ["The default locale must be a BCP 47 tag such as 'en-US' or 'de'."];
        }

        if (request.DefaultTimeZone is not null && !TimeZones.TryFind(request.DefaultTimeZone, out _))
        {
            errors["defaultTimeZone"] = ["The default time zone must be an IANA time zone such as 'Europe/Berlin' or 'UTC'."];
        }

        if (request.AllowedLinkSchemes is { } schemes && LinkPolicy.ValidateTenantSchemes(schemes) is { } schemeProblem)
        {
            errors["allowedLinkSchemes"] = [schemeProblem];
        }

        if (request.Plan is { Length: > 0 } plan && (!PlanPattern().IsMatch(plan) || (knownPlans is not null && !knownPlans.Contains(plan))))
        {
            errors["plan"] = [knownPlans is { Count: > 0 }
                ? $"Unknown plan '{plan}'; the configured plans are: {string.Join(", ", knownPlans)} (\"\" for the default limits)."
                : $"Unknown plan '{plan}'; no plans are configured under Comms:RateLimits:Plans (\"\" for the default limits)."];
        }

        if (request.SmsCategories is { } smsCategories && SmsCategoriesProblem(smsCategories) is { } smsProblem)
        {
            errors["smsCategories"] = [smsProblem];
        }

        if (request.RetentionDays is { } days && (days < 0 || days > Retention.RetentionOptions.MaxDays || (creating && days == 0)))
        {
            errors["retentionDays"] = [$"The retention is a number of days from 1 to {Retention.RetentionOptions.MaxDays}" +
                (creating ? " (leave it out for the deployment's default)." : " (0 returns to the deployment's default).")];
        }

        if (request.EmailProvider is { Length: > 0 } provider)
        {
            var configured = emailProviders ?? [];
            if (!EmailProviders.All.Contains(provider, StringComparer.Ordinal))
            {
                errors["emailProvider"] = [$"Unknown email provider '{Clip(provider)}'; the providers are: {string.Join(", ", EmailProviders.All)} (\"\" for the deployment's default)."];
            }
            else if (!configured.Contains(provider, StringComparer.Ordinal))
            {
                errors["emailProvider"] = [configured.Count > 0
                    ? $"The email provider '{provider}' is not configured in this deployment; the configured ones are: {string.Join(", ", configured)} (\"\" for the deployment's default)."
                    : $"The email provider '{provider}' is not configured in this deployment (no email provider is)."];
            }
        }

        return errors;
    }

    /// <summary>What is wrong with a list of SMS categories (each a category name, at most 100), or null.</summary>
    public static string? SmsCategoriesProblem(IReadOnlyList<string?> categories)
    {
        if (categories.Count > 100)
        {
            return "At most 100 categories may be allowed on SMS.";
        }

        for (var i = 0; i < categories.Count; i++)
        {
            if (!Recipients.RecipientFormats.IsSlug(categories[i]))
            {
                return $"Item {i}, {Recipients.RecipientFormats.Quote(categories[i])}, is not a category name (1-64 lower-case letters, digits, _ and -).";
            }
        }

        return null;
    }

    private static string Clip(string value) => value.Length > 40 ? value[..40] + "…" : value;

    /// <summary>Creates the tenant and its first admin key in one transaction; null when the id is taken.</summary>
    public async Task<TenantCreated?> CreateAsync(TenantRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var tenant = new Tenant
        {
            Id = request.Id!, Name = request.Name!.Trim(), CreatedAt = now,
            DefaultLocale = LocaleChain.Normalize(request.DefaultLocale) ?? LocaleChain.Fallback,
            DefaultTimeZone = request.DefaultTimeZone ?? TimeZones.Default,
            AllowedLinkSchemes = [.. (request.AllowedLinkSchemes ?? []).Select(s => s!)],
            Plan = string.IsNullOrEmpty(request.Plan) ? null : request.Plan,
            SmsCategories = request.SmsCategories is { } sms ? [.. sms.Select(c => c!).Distinct(StringComparer.Ordinal)] : [.. Tenant.DefaultSmsCategories],
            EmailProvider = string.IsNullOrEmpty(request.EmailProvider) ? null : request.EmailProvider,
            LinkTracking = request.LinkTracking ?? true,
            RetentionDays = request.RetentionDays,
        };
        var (key, prefix) = ApiKeySecrets.Generate();
        var apiKey = new ApiKey
        {
            Id = Guid.CreateVersion7(now), TenantId = tenant.Id, Name = "First admin key", Prefix = prefix, KeyHash = ApiKeySecrets.Hash(key),
            Roles = [ApiKeyRoles.Admin, ApiKeyRoles.Editor], CreatedAt = now,
        };

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Tenants.AnyAsync(t => t.Id == tenant.Id, cancellationToken))
        {
            return null;
        }

        db.Tenants.Add(tenant);
        db.ApiKeys.Add(apiKey);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // Created concurrently with the same id.
            return null;
        }

        return new TenantCreated(TenantView.From(tenant), apiKey.Id, key, prefix);
    }

    public async Task<TenantView?> UpdateAsync(string id, TenantRequest request, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (tenant is null)
        {
            return null;
        }

        tenant.Name = request.Name?.Trim() ?? tenant.Name;
        tenant.DefaultLocale = LocaleChain.Normalize(request.DefaultLocale) ?? tenant.DefaultLocale;
        tenant.DefaultTimeZone = request.DefaultTimeZone ?? tenant.DefaultTimeZone;
        if (request.AllowedLinkSchemes is { } schemes)
        {
            // Stored as given (validated, lower-case), in the caller's order.
            tenant.AllowedLinkSchemes = [.. schemes.Select(s => s!).Distinct(StringComparer.Ordinal)];
        }

        if (request.Plan is { } plan)
        {
            tenant.Plan = plan.Length == 0 ? null : plan;
        }

        if (request.SmsCategories is { } smsCategories)
        {
            tenant.SmsCategories = [.. smsCategories.Select(c => c!).Distinct(StringComparer.Ordinal)];
        }

        if (request.EmailProvider is { } emailProvider)
        {
            tenant.EmailProvider = emailProvider.Length == 0 ? null : emailProvider;
        }

        if (request.LinkTracking is { } linkTracking)
        {
            tenant.LinkTracking = linkTracking;
        }

        if (request.RetentionDays is { } retentionDays)
        {
            tenant.RetentionDays = retentionDays == 0 ? null : retentionDays;
        }

        await db.SaveChangesAsync(cancellationToken);
        return TenantView.From(tenant);
    }

    public async Task<TenantView?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        return tenant is null ? null : TenantView.From(tenant);
    }

    public async Task<IReadOnlyList<TenantView>> ListAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Tenants.AsNoTracking();
        if (after is not null)
        {
            query = query.Where(t => string.Compare(t.Id, after) > 0);
        }

        var tenants = await query.OrderBy(t => t.Id).Take(limit).ToListAsync(cancellationToken);
        return tenants.Select(TenantView.From).ToList();
    }
}
