namespace Comms.Core.Templates;

/// <summary>
/// A template for one (name, channel, locale). A row with <see cref="Version"/> = null is the
/// editable draft; published versions are immutable copies numbered 1, 2, 3…
/// </summary>
public sealed class Template
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required string Name { get; set; }
    public required string Channel { get; set; }
    public required string Locale { get; set; }
    public int? Version { get; set; }
    public string Status { get; set; } = TemplateStatus.Draft;
    public string? Category { get; set; }

    /// <summary>A marketing template: the links of its messages carry UTM parameters (SPEC S11).</summary>
    public bool Marketing { get; set; }

    public TemplateContent Content { get; set; } = new();

    /// <summary>JSON Schema (draft 2020-12 subset) of the payload variables, as JSON text.</summary>
    public string? VariablesSchema { get; set; }

    /// <summary>Weighted experiment variants; empty when the template runs no experiment.</summary>
    public List<TemplateVariant> Variants { get; set; } = [];

    public string? CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? SubmittedBy { get; set; }
    public string? ApprovedBy { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
}

public static class TemplateStatus
{
    public const string Draft = "draft";
    public const string PendingApproval = "pending_approval";
    public const string Published = "published";
}

/// <summary>Channel content; each channel uses its own fields (SPEC S3).</summary>
public sealed record TemplateContent
{
    // email
    public string? Subject { get; init; }
    public string? Html { get; init; }
    public string? Text { get; init; }

    // push and in-app
    public string? Title { get; init; }
    public string? Body { get; init; }
    public Dictionary<string, string>? Data { get; init; }
    public string? CollapseKey { get; init; }
    public string? Link { get; init; }
    public string? Icon { get; init; }

    /// <summary>
    /// In-app: Liquid for the item's thread key; the notification center groups items of one key
    /// (<c>group=thread</c>). Overrides the routing rule's <c>threadKey</c>.
    /// </summary>
    public string? ThreadKey { get; init; }

    // webhook
    public string? Json { get; init; }
}

/// <summary>An experiment arm: its content replaces the template's content for users bucketed into it.</summary>
public sealed record TemplateVariant
{
    public required string Key { get; init; }
    public int Weight { get; init; }
    public TemplateContent Content { get; init; } = new();
}
