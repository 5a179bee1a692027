using Comms.Core.Data;
using Comms.Core.Messages;
using Comms.Core.Recipients;
using Comms.Core.Routing;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Preferences;

/// <summary>Creates or updates a tenant category. Fields left out keep their value (or the default on create).</summary>
/// <param name="Critical">Critical categories bypass opt-outs and quiet hours, and are locked in the preference center.</param>
/// <param name="DefaultChannels">Channels the category is on for by default, stored in the order given (in-app and webhooks always are).</param>
public sealed record CategoryRequest(string? Description, bool? Critical, List<string>? DefaultChannels);

/// <summary>A category as the API shows it; <see cref="DefaultChannels"/> includes the always-on channels.</summary>
public sealed record CategoryView(string Name, string? Description, bool Critical, bool BuiltIn, IReadOnlyList<string> DefaultChannels)
{
    public static CategoryView From(CategoryInfo info) => new(
        info.Name, info.Description, info.Critical, info.BuiltIn, info.ListedChannels ?? Channel.All.Where(info.IsOnByDefault).ToList());
}

public enum CategoryChange
{
    Created,
    Updated,
    Deleted,
    NotFound,
    Invalid,

    /// <summary>The name is a built-in category, which cannot be redefined or deleted.</summary>
    BuiltIn,

    /// <summary>Routing rules or templates still use the category.</summary>
    InUse,
}

public sealed record CategorySaved(CategoryChange Change, CategoryView? Category, Dictionary<string, string[]>? Errors, string? Detail = null);

/// <summary>The tenant's own categories beside the built-in ones; every change tells the routers (<see cref="CatalogChanges"/>).</summary>
public sealed class CategoryService(IDbContextFactory<CommsDbContext> contexts, CatalogChanges changes, TimeProvider time)
{
    public const int MaxDescriptionLength = 500;

    /// <summary>The built-in categories (in their fixed order), then the tenant's by name.</summary>
    public async Task<IReadOnlyList<CategoryView>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var own = await db.Categories.AsNoTracking().Where(c => c.TenantId == tenantId).ToListAsync(cancellationToken);
        return Categories.BuiltIn.Values
            .Concat(own.Where(c => !Categories.BuiltIn.ContainsKey(c.Name)).OrderBy(c => c.Name, StringComparer.Ordinal).Select(Categories.FromTenantCategory))
            .Select(CategoryView.From)
            .ToList();
    }

    public static Dictionary<string, string[]> Validate(string name, CategoryRequest? request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!RecipientFormats.IsSlug(name))
        {
            errors["name"] = ["A category name is 1-64 lower-case letters, digits, _ and -, starting with a letter or digit."];
        }

        if (request is null)
        {
            errors["body"] = ["The request body must be a JSON object: { \"description\": \"...\", \"critical\": false, \"defaultChannels\": [\"email\"] }."];
            return errors;
        }

        if (request.Description is { } description && (description.Length > MaxDescriptionLength || RecipientFormats.HasControlCharacters(description)))
        {
            errors["description"] = [$"The description must be at most {MaxDescriptionLength} characters without control characters."];
        }

        var channels = request.DefaultChannels ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < channels.Count; i++)
        {
            if (!Channel.IsKnown(channels[i]))
            {
                errors[$"defaultChannels[{i}]"] = [$"{RecipientFormats.Quote(channels[i])} is not a channel; the channels are: {string.Join(", ", Channel.All)}."];
            }
            else if (!seen.Add(channels[i]))
            {
                errors[$"defaultChannels[{i}]"] = [$"'{channels[i]}' is listed twice; give each channel once."];
            }
        }

        return errors;
    }

    public async Task<CategorySaved> UpsertAsync(string tenantId, string name, CategoryRequest? request, CancellationToken cancellationToken)
    {
        if (Categories.BuiltIn.ContainsKey(name))
        {
            return new CategorySaved(CategoryChange.BuiltIn, null, null);
        }

        var errors = Validate(name, request);
        if (errors.Count > 0)
        {
            return new CategorySaved(CategoryChange.Invalid, null, errors);
        }

        for (var attempt = 0; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var category = await db.Categories.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Name == name, cancellationToken);
            var created = category is null;
            if (category is null)
            {
                category = new Category { TenantId = tenantId, Name = name, CreatedAt = time.GetUtcNow() };
                db.Categories.Add(category);
            }

            if (request!.Description is { } description)
            {
                category.Description = description.Trim().Length == 0 ? null : description.Trim();
            }

            category.Critical = request.Critical ?? category.Critical;
            if (request.DefaultChannels is { } channels)
            {
                category.DefaultChannels = [.. channels];
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException ex) when (created && attempt == 0 && UniqueViolation.Is(ex))
            {
                continue;
            }

            await changes.PublishAsync(tenantId);
            return new CategorySaved(created ? CategoryChange.Created : CategoryChange.Updated,
                CategoryView.From(Categories.FromTenantCategory(category)), null);
        }
    }

    /// <summary>
    /// Deletes a tenant category, with the users' preferences for it and its place in their quiet-hours
    /// exceptions, in one transaction. Refused while routing rules or templates use it.
    /// </summary>
    public async Task<CategorySaved> DeleteAsync(string tenantId, string name, CancellationToken cancellationToken)
    {
        if (Categories.BuiltIn.ContainsKey(name))
        {
            return new CategorySaved(CategoryChange.BuiltIn, null, null);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var category = await db.Categories.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Name == name, cancellationToken);
        if (category is null)
        {
            return new CategorySaved(CategoryChange.NotFound, null, null);
        }

        var rules = await db.RoutingRules.Where(r => r.TenantId == tenantId && r.Category == name)
            .Select(r => r.EventName).Take(10).ToListAsync(cancellationToken);
        var templates = await db.Templates.Where(t => t.TenantId == tenantId && t.Category == name)
            .Select(t => t.Name).Distinct().Take(10).ToListAsync(cancellationToken);
        if (rules.Count > 0 || templates.Count > 0)
        {
            var users = new List<string>();
            if (rules.Count > 0)
            {
                users.Add($"routing rules for {string.Join(", ", rules)}");
            }

            if (templates.Count > 0)
            {
                users.Add($"templates {string.Join(", ", templates)}");
            }

            return new CategorySaved(CategoryChange.InUse, null, null, $"'{name}' is used by {string.Join(" and ", users)}.");
        }

        await db.Preferences.Where(p => p.TenantId == tenantId && p.Category == name).ExecuteDeleteAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"UPDATE recipients SET quiet_hours_exceptions = array_remove(quiet_hours_exceptions, {name}) WHERE tenant_id = {tenantId} AND {name} = ANY(quiet_hours_exceptions)",
            cancellationToken);
        db.Categories.Remove(category);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await changes.PublishAsync(tenantId);
        return new CategorySaved(CategoryChange.Deleted, null, null);
    }
}
