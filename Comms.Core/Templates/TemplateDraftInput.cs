namespace Comms.Core.Templates;

/// <summary>Which template: (name, channel, locale) of one tenant; the locale is normalised.</summary>
public sealed record TemplateKey(string TenantId, string Name, string Channel, string Locale);

/// <summary>What an editor saves as the draft of a template (every field replaces the draft's).</summary>
public sealed record TemplateDraftInput(
    string? Category,
    TemplateContent? Content,
    string? VariablesSchema,
    IReadOnlyList<TemplateVariantInput>? Variants)
{
    /// <summary>A marketing template: its links get UTM parameters (SPEC S11). Absent = false.</summary>
    public bool Marketing { get; init; }
}

/// <summary>An experiment arm as sent by an editor; checked before it becomes a <see cref="TemplateVariant"/>.</summary>
public sealed record TemplateVariantInput(string? Key, int? Weight, TemplateContent? Content);

/// <summary>Why a template operation was refused: a stable code, an HTTP-like status and the field concerned.</summary>
public sealed record TemplateProblem(string Code, int Status, string Title, string Detail, string? Field = null)
{
    /// <summary>Per-field messages when several fields are wrong (validation problems).</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }
}

/// <summary>The stable problem <c>type</c> codes of the templates feature.</summary>
public static class TemplateCodes
{
    public const string Validation = "COMMS_VALIDATION";
    public const string Invalid = "COMMS_TEMPLATE_INVALID";
    public const string RenderInvalid = Messages.ReasonCodes.RenderInvalid;
    public const string UnknownCategory = "COMMS_UNKNOWN_CATEGORY";
    public const string NotFound = "COMMS_NOT_FOUND";
    public const string Immutable = "COMMS_TEMPLATE_IMMUTABLE";
    public const string Pending = "COMMS_TEMPLATE_PENDING_APPROVAL";
    public const string NotPending = "COMMS_TEMPLATE_NOT_PENDING";
    public const string SelfApproval = "COMMS_APPROVAL_SELF";
    public const string Conflict = "COMMS_CONFLICT";
    public const string MissingVariable = "COMMS_TEMPLATE_MISSING_VAR";
    public const string PayloadInvalid = "COMMS_PAYLOAD_INVALID";
    public const string RenderFailed = "COMMS_TEMPLATE_RENDER_FAILED";
}
