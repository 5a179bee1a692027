namespace Comms.Core.Banners;

/// <summary>A platform banner's content (issue 12): what operators show across tenants, activated by <see cref="BannerActivation"/>.</summary>
public sealed class BannerTemplate
{
    public Guid Id { get; set; }

    /// <summary>maintenance, incident or feature (<see cref="BannerKinds"/>).</summary>
    public required string Kind { get; set; }

    public required string Title { get; set; }

    /// <summary>Markdown, rendered to safe HTML for users.</summary>
    public required string Body { get; set; }

    public string? Link { get; set; }

    /// <summary>info, warning or critical (<see cref="BannerSeverities"/>).</summary>
    public required string Severity { get; set; }

    public bool Dismissible { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>When and to whom a <see cref="BannerTemplate"/> shows: empty tenants and roles mean everyone.</summary>
public sealed class BannerActivation
{
    public Guid Id { get; set; }

    public Guid TemplateId { get; set; }

    public DateTimeOffset StartsAt { get; set; }

    /// <summary>Null: until the activation is deleted.</summary>
    public DateTimeOffset? EndsAt { get; set; }

    public string[] Tenants { get; set; } = [];

    public string[] Roles { get; set; } = [];

    /// <summary>When the start was pushed live (set atomically by whoever pushes it, so an instant is pushed once).</summary>
    public DateTimeOffset? StartPushedAt { get; set; }

    /// <summary>When the end was pushed live (as <see cref="StartPushedAt"/>).</summary>
    public DateTimeOffset? EndPushedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One user dismissed one activation (remembered per user).</summary>
public sealed class BannerDismissal
{
    public Guid ActivationId { get; set; }

    public required string TenantId { get; set; }

    public required string ExternalId { get; set; }

    public DateTimeOffset DismissedAt { get; set; }
}

public static class BannerKinds
{
    public static readonly string[] All = ["maintenance", "incident", "feature"];
}

public static class BannerSeverities
{
    public static readonly string[] All = ["info", "warning", "critical"];
}
