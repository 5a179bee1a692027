namespace Comms.Api.OpenApi;

/// <summary>
/// The <c>type</c> codes of the API's problem-details answers, as the endpoints declare them in the OpenAPI document.
/// A test records every answer the integration tests provoke and checks it is documented with its code
/// (<c>DocumentedAnswersTests</c>), so these cannot drift from what the handlers answer.
/// </summary>
public static class ProblemTypes
{
    public const string BadRequest = "COMMS_BAD_REQUEST";
    public const string Validation = "COMMS_VALIDATION";
    public const string Unauthorized = "COMMS_UNAUTHORIZED";
    public const string Forbidden = "COMMS_FORBIDDEN";
    public const string NotFound = "COMMS_NOT_FOUND";
    public const string RecipientNotFound = "COMMS_RECIPIENT_NOT_FOUND";
    public const string RecipientErased = "COMMS_RECIPIENT_ERASED";
    public const string Conflict = "COMMS_CONFLICT";
    public const string RequestTooLarge = "COMMS_REQUEST_TOO_LARGE";
    public const string RateLimited = "COMMS_RATE_LIMITED";
    public const string Unavailable = "COMMS_UNAVAILABLE";

    public const string UnknownEvent = "COMMS_UNKNOWN_EVENT";
    public const string UnknownCategory = "COMMS_UNKNOWN_CATEGORY";
    public const string UnknownTemplate = "COMMS_UNKNOWN_TEMPLATE";
    public const string PayloadInvalid = "COMMS_PAYLOAD_INVALID";
    public const string TemplateMissingVar = "COMMS_TEMPLATE_MISSING_VAR";
    public const string IdempotencyKeyReused = "COMMS_IDEMPOTENCY_KEY_REUSED";

    public const string TemplateInvalid = "COMMS_TEMPLATE_INVALID";
    public const string TemplateRenderFailed = "COMMS_TEMPLATE_RENDER_FAILED";
    public const string RenderInvalid = "COMMS_RENDER_INVALID";
    public const string TemplateImmutable = "COMMS_TEMPLATE_IMMUTABLE";
    public const string TemplatePendingApproval = "COMMS_TEMPLATE_PENDING_APPROVAL";
    public const string TemplateNotPending = "COMMS_TEMPLATE_NOT_PENDING";
    public const string ApprovalSelf = "COMMS_APPROVAL_SELF";

    public const string PrefLocked = "COMMS_PREF_LOCKED";
    public const string LastAdminKey = "COMMS_LAST_ADMIN_KEY";
    public const string SigningKeyLimit = "COMMS_SIGNING_KEY_LIMIT";
    public const string CategoryBuiltIn = "COMMS_CATEGORY_BUILT_IN";
    public const string CategoryInUse = "COMMS_CATEGORY_IN_USE";
    public const string WebhookTargetRefused = "COMMS_WEBHOOK_TARGET_REFUSED";
    public const string MessageNotResendable = "COMMS_MESSAGE_NOT_RESENDABLE";
    public const string Suppressed = "COMMS_SUPPRESSED";

    public const string InvalidCredentials = "COMMS_INVALID_CREDENTIALS";
    public const string OperatorLockedOut = "COMMS_OPERATOR_LOCKED_OUT";
    public const string TotpRequired = "COMMS_TOTP_REQUIRED";
    public const string TotpInvalid = "COMMS_TOTP_INVALID";
    public const string FreshAuthRequired = "COMMS_FRESH_AUTH_REQUIRED";
    public const string SysDirectMessageTestSendRequired = "COMMS_SysDirectMessageTestSendRequired";
    public const string SysBroadcastTestSendRequired = "COMMS_SysBroadcastTestSendRequired";
}
