using Comms.Api.Auth;
using Comms.Api.Input;
using Comms.Core.Recipients.Bulk;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Comms.Api.Recipients;

/// <summary>Bulk sync of recipients: <c>POST /v1/recipients/bulk</c>.</summary>
public static class RecipientBulkEndpoints
{
    public static RouteGroupBuilder MapRecipientBulk(this RouteGroupBuilder recipients)
    {
        var limits = ((IEndpointRouteBuilder)recipients).ServiceProvider.GetRequiredService<IOptions<RequestLimitsOptions>>().Value;
        recipients.MapPost("/bulk", Post)
            .WithBodySizeLimit(limits.MaxBulkRequestBodyBytes)
            .WithSummary($"Create or update up to {RecipientBulkValidator.MaxRecipients:N0} recipients at once")
            .WithDescription("Each item has the fields of the single upsert (externalId required) plus 'devices' (registered as PUT .../devices does) "
                + "and 'preferences' (merged as PUT .../preferences does). Answers 200 with one outcome per item, in order: created, updated, "
                + "unchanged (nothing written) or invalid with its errors by JSON path (recipients[i].field). Valid items are stored even when "
                + "others are invalid; repeating a call changes nothing. An externalId or device given twice makes the later item invalid.")
            .RequireAuthorization(AuthExtensions.EditorPolicy);
        return recipients;
    }

    public static async Task<Results<Ok<BulkRecipientsResponse>, ValidationProblem>> Post(
        [FromBody] BulkRecipientsRequest? request, HttpContext http, [FromServices] RecipientBulkService bulk,
        CancellationToken cancellationToken)
    {
        if (request?.Recipients is not { Count: > 0 } items)
        {
            return Invalid($"The body must be a JSON object {{ \"{RecipientBulkValidator.Field}\": [ ... ] }} with 1-{RecipientBulkValidator.MaxRecipients:N0} recipients.");
        }

        if (items.Count > RecipientBulkValidator.MaxRecipients)
        {
            return Invalid($"At most {RecipientBulkValidator.MaxRecipients:N0} recipients per call; got {items.Count:N0}. Split them into several calls.");
        }

        return TypedResults.Ok(await bulk.SyncAsync(http.User.TenantId(), items, cancellationToken));
    }

    private static ValidationProblem Invalid(string message) =>
        TypedResults.ValidationProblem(
            new Dictionary<string, string[]>(StringComparer.Ordinal) { [RecipientBulkValidator.Field] = [message] },
            title: "The bulk request is invalid; nothing was stored.", type: "COMMS_VALIDATION");
}
