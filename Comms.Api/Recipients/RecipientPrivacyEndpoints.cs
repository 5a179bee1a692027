using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Audit;
using Comms.Core.Privacy;
using Comms.Core.Recipients;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Comms.Api.Recipients;

/// <summary>
/// The recipient data lifecycle (SPEC S11): <c>GET /v1/recipients/{externalId}/export</c> (access export, streamed) and
/// <c>POST /v1/recipients/{externalId}/erase</c> (GDPR erasure). Both need an admin key and are audited.
/// </summary>
public static partial class RecipientPrivacyEndpoints
{
    public static RouteGroupBuilder MapRecipientPrivacy(this RouteGroupBuilder recipients)
    {
        recipients.MapGet("/{externalId}/export", Export)
            .WithSummary("Export everything stored about a recipient (admin)")
            .WithDescription("One JSON document, streamed: recipient (profile), devices, preferences, inbox, messages (each with its render "
                + "and status), decisions, suppressions (of their addresses) and audit (rows about them). The export is itself audited "
                + "(recipient.exported).")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.RecipientNotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.RecipientErased)
            .RequireAuthorization(AuthExtensions.AdminPolicy);
        recipients.MapPost("/{externalId}/erase", Erase)
            .WithSummary("Erase a recipient for good (admin, audited)")
            .WithDescription("Replaces the person's data by tombstones: profile and attributes cleared, devices and preferences deleted, inbox "
                + "items, renders, decision details and webhook payloads scrubbed. Delivery records, counts, decisions and suppressions stay "
                + "without personal data. Work still in flight for the person is dropped with COMMS_RECIPIENT_ERASED. Cannot be undone.")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.RecipientNotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.RecipientErased)
            .RequireAuthorization(AuthExtensions.AdminPolicy);
        return recipients;
    }

    public static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> Export(
        string externalId, HttpContext http, [FromServices] RecipientExport export, [FromServices] RecipientService recipients,
        ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var tenantId = http.User.TenantId();
        if (await export.FindAsync(tenantId, externalId, cancellationToken) is not { } subject)
        {
            return await NotFoundAsync(tenantId, externalId, recipients, cancellationToken);
        }

        var actor = AuditLog.ApiKeyActor(http.User.ApiKeyId());
        LogExported(logs.CreateLogger(LogCategory), tenantId, subject.Id, http.User.Actor());
        return TypedResults.Stream(body => export.WriteAsync(subject, actor, body, cancellationToken), "application/json");
    }

    public static async Task<Results<Ok<ErasureSummary>, ProblemHttpResult>> Erase(
        string externalId, HttpContext http, [FromServices] RecipientErasure erasure, [FromServices] RecipientService recipients,
        ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var tenantId = http.User.TenantId();
        var summary = await erasure.EraseAsync(tenantId, externalId, AuditLog.ApiKeyActor(http.User.ApiKeyId()), cancellationToken);
        if (summary is null)
        {
            return await NotFoundAsync(tenantId, externalId, recipients, cancellationToken);
        }

        LogErased(logs.CreateLogger(LogCategory), tenantId, summary.RecipientId, http.User.Actor(), summary.Messages);
        return TypedResults.Ok(summary);
    }

    private static async Task<ProblemHttpResult> NotFoundAsync(
        string tenantId, string externalId, RecipientService recipients, CancellationToken cancellationToken) =>
        await recipients.IsErasedAsync(tenantId, externalId, cancellationToken)
            ? RecipientErased(externalId)
            : RecipientsApi.RecipientNotFound(externalId);

    internal static ProblemHttpResult RecipientErased(string externalId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, type: ProblemTypes.RecipientErased,
            title: "The recipient was erased.",
            detail: $"The tenant's recipient with external id {RecipientFormats.Quote(externalId)} was erased; their data is gone and the id cannot be used again.");

    private const string LogCategory = "Comms.Api.Recipients.Privacy";

    // The recipient's row id only: an external id may itself be personal data.
    [LoggerMessage(1, LogLevel.Information, "Recipient {RecipientId} of tenant '{Tenant}' exported by {Actor}.")]
    private static partial void LogExported(ILogger logger, string tenant, Guid recipientId, string actor);

    [LoggerMessage(2, LogLevel.Warning, "Recipient {RecipientId} of tenant '{Tenant}' erased by {Actor} ({Messages} messages tombstoned).")]
    private static partial void LogErased(ILogger logger, string tenant, Guid recipientId, string actor, int messages);
}
