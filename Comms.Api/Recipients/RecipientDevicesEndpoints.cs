using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Recipients;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Comms.Api.Recipients;

/// <summary>A recipient's push devices: <c>/v1/recipients/{externalId}/devices</c>.</summary>
public static class RecipientDevicesEndpoints
{
    public static RouteGroupBuilder MapRecipientDevices(this RouteGroupBuilder recipients)
    {
        recipients.MapPut("/{externalId}/devices", Register)
            .WithSummary("Register a push device for a recipient")
            .WithDescription("Idempotent: 201 when the token is new, 200 when it was known. A token registered for another recipient of the tenant moves to this one.")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.RecipientNotFound)
            .RequireAuthorization(AuthExtensions.EditorPolicy);
        recipients.MapGet("/{externalId}/devices", List)
            .WithSummary("List a recipient's push devices")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.RecipientNotFound);
        recipients.MapDelete("/{externalId}/devices/{deviceId:guid}", Remove)
            .WithSummary("Remove a push device of a recipient")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)
            .RequireAuthorization(AuthExtensions.EditorPolicy);
        return recipients;
    }

    public static async Task<Results<Created<DeviceView>, Ok<DeviceView>, ValidationProblem, ProblemHttpResult>> Register(
        string externalId, [FromBody] DeviceRequest? request, HttpContext http, [FromServices] DeviceService devices,
        CancellationToken cancellationToken)
    {
        var saved = await devices.RegisterAsync(http.User.TenantId(), externalId, request, cancellationToken);
        if (saved is null)
        {
            return RecipientsApi.RecipientNotFound(externalId);
        }

        if (saved.Device is not { } device)
        {
            return TypedResults.ValidationProblem(saved.Errors!, title: "The device is invalid; nothing was stored.", type: "COMMS_VALIDATION");
        }

        return saved.Created
            ? TypedResults.Created($"{RecipientsApi.Location(externalId)}/devices/{device.Id}", device)
            : TypedResults.Ok(device);
    }

    public static async Task<Results<Ok<IReadOnlyList<DeviceView>>, ProblemHttpResult>> List(
        string externalId, HttpContext http, [FromServices] DeviceService devices, CancellationToken cancellationToken)
    {
        var list = await devices.ListAsync(http.User.TenantId(), externalId, cancellationToken);
        return list is null ? RecipientsApi.RecipientNotFound(externalId) : TypedResults.Ok(list);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Remove(
        string externalId, Guid deviceId, HttpContext http, [FromServices] DeviceService devices, CancellationToken cancellationToken) =>
        await devices.RemoveAsync(http.User.TenantId(), externalId, deviceId, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, type: "COMMS_NOT_FOUND", title: "Device not found.",
                detail: $"Recipient {RecipientFormats.Quote(externalId)} has no device {deviceId}.");
}
