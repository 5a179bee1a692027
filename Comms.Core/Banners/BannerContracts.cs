namespace Comms.Core.Banners;

public static class BannerLimits
{
    public const int MaxTitleLength = 200;
    public const int MaxBodyLength = 10_000;
    public const int MaxLinkLength = 2048;
    public const int MaxAudience = 100;
}

public sealed record BannerTemplateRequest(string? Kind, string? Title, string? Body, string? Link, string? Severity, bool? Dismissible);

public sealed record BannerTemplateView(
    Guid Id, string Kind, string Title, string Body, string? Link, string Severity, bool Dismissible, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static BannerTemplateView From(BannerTemplate t) =>
        new(t.Id, t.Kind, t.Title, t.Body, t.Link, t.Severity, t.Dismissible, t.CreatedAt, t.UpdatedAt);
}

public sealed record BannerActivationRequest(Guid? TemplateId, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, List<string>? Tenants, List<string>? Roles);

public sealed record BannerActivationView(
    Guid Id, Guid TemplateId, DateTimeOffset StartsAt, DateTimeOffset? EndsAt, IReadOnlyList<string> Tenants, IReadOnlyList<string> Roles,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static BannerActivationView From(BannerActivation a) =>
        new(a.Id, a.TemplateId, a.StartsAt, a.EndsAt, a.Tenants, a.Roles, a.CreatedAt, a.UpdatedAt);
}

/// <summary>A banner as the signed-in user sees it: the body is safe HTML.</summary>
public sealed record MyBanner(
    Guid ActivationId, string Kind, string Title, string BodyHtml, string Severity, string? Link, bool Dismissible,
    DateTimeOffset StartsAt, DateTimeOffset? EndsAt);

/// <summary>Who should hear <c>bannersChanged</c>: everyone (<see cref="Everyone"/>) or the connections of these tenants.</summary>
public sealed record BannerAudience(bool Everyone, IReadOnlyList<string> Tenants)
{
    public static BannerAudience Of(params BannerActivation?[] activations)
    {
        var present = activations.Where(a => a is not null).Select(a => a!).ToList();
        return present.Any(a => a.Tenants.Length == 0)
            ? new BannerAudience(true, [])
            : new BannerAudience(false, present.SelectMany(a => a.Tenants).Distinct(StringComparer.Ordinal).ToList());
    }
}

public enum DismissOutcome
{
    Dismissed,
    NotFound,
    NotDismissible,
}
