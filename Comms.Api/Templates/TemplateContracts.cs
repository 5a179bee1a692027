using System.Text.Json;
using Comms.Core.Messages;
using Comms.Core.Templates;

namespace Comms.Api.Templates;

/// <summary>
/// The draft of one (name, channel, locale), replaced whole by <c>PUT …/draft</c>. <c>variablesSchema</c>
/// is a JSON Schema object (or its JSON text); <c>variants</c> are weighted experiment arms.
/// </summary>
public sealed record TemplateDraftRequest(
    string? Category,
    TemplateContent? Content,
    JsonElement? VariablesSchema,
    List<TemplateVariantInput>? Variants)
{
    /// <summary>A marketing template: the links of its emails and in-app items get UTM parameters (utm_source=comms, utm_medium=channel, utm_campaign=template name). Default false.</summary>
    public bool? Marketing { get; init; }

    public TemplateDraftInput ToInput() => new(
        Category,
        Content,
        VariablesSchema switch
        {
            null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
            { ValueKind: JsonValueKind.String } text => text.GetString(),
            { } schema => schema.GetRawText(),
        },
        Variants)
    {
        Marketing = Marketing ?? false,
    };
}

/// <summary>A sample payload to render with, and optionally the experiment arm to show.</summary>
public sealed record TemplatePreviewRequest(JsonElement? Payload, string? Variant);

/// <summary>A template row: the draft (<c>version</c> null) or a published, immutable version.</summary>
public sealed record TemplateView(
    Guid Id,
    string Name,
    string Channel,
    string Locale,
    int? Version,
    string Status,
    string? Category,
    TemplateContent Content,
    JsonElement? VariablesSchema,
    IReadOnlyList<TemplateVariant> Variants,
    string? CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? SubmittedBy,
    string? ApprovedBy,
    DateTimeOffset? PublishedAt,
    IReadOnlyList<string> Warnings)
{
    /// <summary>A marketing template: the links of its messages carry UTM parameters.</summary>
    public bool Marketing { get; init; }

    /// <summary>With the template's <see cref="TemplateVariables.Warnings"/>: variables it reads that nothing declares.</summary>
    public static TemplateView From(Template t) => new(
        t.Id, t.Name, t.Channel, t.Locale, t.Version, t.Status, t.Category, t.Content, Schema(t.VariablesSchema), t.Variants,
        t.CreatedBy, t.CreatedAt, t.UpdatedAt, t.SubmittedBy, t.ApprovedBy, t.PublishedAt, TemplateVariables.Warnings(t))
    {
        Marketing = t.Marketing,
    };

    private static JsonElement? Schema(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

/// <summary>The outcome of a publish or approval: the new version, or the draft waiting for an approver and why.</summary>
public sealed record PublishResult(bool Published, int? Version, string? ApprovalReason, TemplateView Template);

/// <summary>All templates of the tenant, by name.</summary>
public sealed record TemplateList(IReadOnlyList<TemplateSummary> Items);

public sealed record TemplateSummary(string Name, IReadOnlyList<TemplateEntrySummary> Entries);

/// <summary>One (channel, locale) of a template: its latest version and the state of its draft, if any.</summary>
public sealed record TemplateEntrySummary(
    string Channel,
    string Locale,
    int? LatestVersion,
    string? Category,
    string? DraftStatus,
    DateTimeOffset UpdatedAt);

/// <summary>One template name with, per (channel, locale), its draft and the list of its published versions.</summary>
public sealed record TemplateDetails(string Name, IReadOnlyList<TemplateEntry> Entries);

public sealed record TemplateEntry(string Channel, string Locale, TemplateView? Draft, IReadOnlyList<TemplateVersionSummary> Versions);

public sealed record TemplateVersionSummary(
    int Version,
    string? Category,
    string? CreatedBy,
    string? SubmittedBy,
    string? ApprovedBy,
    DateTimeOffset? PublishedAt);

/// <summary>What a preview rendered; for in-app, <c>content.bodyHtml</c> is the sanitized HTML.</summary>
public sealed record TemplatePreviewResponse(
    string Name,
    string Channel,
    string Locale,
    int? Version,
    string? Variant,
    RenderedContent Content,
    IReadOnlyList<string> Warnings);
