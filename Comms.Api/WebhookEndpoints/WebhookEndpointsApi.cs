using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Comms.Api.WebhookEndpoints;

/// <summary>
/// The tenant's webhook endpoints (SPEC S4): where messages of the <c>webhook</c> channel are POSTed, signed per
/// Standard Webhooks with the endpoint's secret — shown once at creation and at each rotation. Targets must be
/// https and public (no loopback, private, link-local... addresses) unless <c>Comms:Webhooks:AllowPrivateTargets</c>.
/// Admin keys only.
/// </summary>
public static partial class WebhookEndpointsApi
{
    private const string LogCategory = "Comms.Api.WebhookEndpoints";

    public static RouteGroupBuilder MapWebhookEndpointsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/webhook-endpoints").WithTags("Webhook endpoints").RequireAuthorization(AuthExtensions.AdminPolicy);

        group.MapPost("/", Create)
            .WithSummary("Register a webhook endpoint")
            .WithDescription("Answers 201 with the endpoint and its signing secret ('whsec_' + base64), shown this once. 'eventTypes' are event names, or [\"*\"] for every event. The url must be https and must not resolve to a loopback, private, link-local, unique-local or multicast address (422 COMMS_WEBHOOK_TARGET_REFUSED).")
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, ProblemTypes.WebhookTargetRefused);
        group.MapGet("/", List)
            .WithSummary("List the tenant's webhook endpoints")
            .WithDescription("Id, url, eventTypes, description, enabled, createdAt, updatedAt; never the secret.");
        group.MapGet("/{id:guid}", Get)
            .WithSummary("Get one webhook endpoint (without the secret)")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        group.MapPatch("/{id:guid}", Update)
            .WithSummary("Change a webhook endpoint")
            .WithDescription("Only the fields given change: 'url', 'eventTypes', 'description', 'enabled' (false stops deliveries to it). A new url is checked like at registration.")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, ProblemTypes.WebhookTargetRefused);
        group.MapDelete("/{id:guid}", Delete)
            .WithSummary("Delete a webhook endpoint")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        group.MapPost("/{id:guid}/rotate-secret", RotateSecret)
            .WithSummary("Rotate a webhook endpoint's secret")
            .WithDescription("Answers 200 with the endpoint and its new secret, shown this once; deliveries are signed with it from now on and the old secret stops at once.")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        return group;
    }

    public static async Task<Results<Created<WebhookEndpointWithSecret>, ValidationProblem, ProblemHttpResult>> Create(
        [FromBody] WebhookEndpointRequest? request, HttpContext http, [FromServices] WebhookEndpointService endpoints, ILoggerFactory logs,
        CancellationToken cancellationToken)
    {
        var errors = request is null
            ? new Dictionary<string, string[]> { ["body"] = ["The request body must be a JSON object: { \"url\": \"https://...\", \"eventTypes\": [\"order.shipped\"] }."] }
            : WebhookEndpointService.Validate(request.Url, request.EventTypes, request.Description, creating: true, endpoints.AllowPrivateTargets);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The webhook endpoint request is invalid; no endpoint was created.", type: ProblemTypes.Validation);
        }

        if (await WebhookTargets.CheckTargetAsync(request!.Url, endpoints.AllowPrivateTargets, cancellationToken) is { } refused)
        {
            return Refused(refused);
        }

        var tenant = http.User.TenantId();
        var created = await endpoints.CreateAsync(tenant, request, cancellationToken);
        LogCreated(logs.CreateLogger(LogCategory), tenant, created.Id, http.User.Actor());
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created($"/v1/webhook-endpoints/{created.Id}", created);
    }

    public static async Task<Ok<IReadOnlyList<WebhookEndpointView>>> List(
        HttpContext http, [FromServices] WebhookEndpointService endpoints, CancellationToken cancellationToken) =>
        TypedResults.Ok(await endpoints.ListAsync(http.User.TenantId(), cancellationToken));

    public static async Task<Results<Ok<WebhookEndpointView>, ProblemHttpResult>> Get(
        Guid id, HttpContext http, [FromServices] WebhookEndpointService endpoints, CancellationToken cancellationToken) =>
        await endpoints.GetAsync(http.User.TenantId(), id, cancellationToken) is { } endpoint ? TypedResults.Ok(endpoint) : NotFound();

    public static async Task<Results<Ok<WebhookEndpointView>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, [FromBody] WebhookEndpointUpdate? update, HttpContext http, [FromServices] WebhookEndpointService endpoints, ILoggerFactory logs,
        CancellationToken cancellationToken)
    {
        var errors = update is null
            ? new Dictionary<string, string[]> { ["body"] = ["The request body must be a JSON object with the fields to change: url, eventTypes, description, enabled."] }
            : WebhookEndpointService.Validate(update.Url, update.EventTypes, update.Description, creating: false, endpoints.AllowPrivateTargets);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The webhook endpoint change is invalid; nothing was changed.", type: ProblemTypes.Validation);
        }

        if (update!.Url is not null && await WebhookTargets.CheckTargetAsync(update.Url, endpoints.AllowPrivateTargets, cancellationToken) is { } refused)
        {
            return Refused(refused);
        }

        var tenant = http.User.TenantId();
        if (await endpoints.UpdateAsync(tenant, id, update, cancellationToken) is not { } changed)
        {
            return NotFound();
        }

        LogUpdated(logs.CreateLogger(LogCategory), tenant, id, changed.Enabled, http.User.Actor());
        return TypedResults.Ok(changed);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, HttpContext http, [FromServices] WebhookEndpointService endpoints, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var tenant = http.User.TenantId();
        if (!await endpoints.DeleteAsync(tenant, id, cancellationToken))
        {
            return NotFound();
        }

        LogDeleted(logs.CreateLogger(LogCategory), tenant, id, http.User.Actor());
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<WebhookEndpointWithSecret>, ProblemHttpResult>> RotateSecret(
        Guid id, HttpContext http, [FromServices] WebhookEndpointService endpoints, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var tenant = http.User.TenantId();
        if (await endpoints.RotateSecretAsync(tenant, id, cancellationToken) is not { } rotated)
        {
            return NotFound();
        }

        LogRotated(logs.CreateLogger(LogCategory), tenant, id, http.User.Actor());
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(rotated);
    }

    private static ProblemHttpResult Refused(string why) =>
        TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, type: ProblemTypes.WebhookTargetRefused,
            title: "The webhook target is refused.", detail: why);

    private static ProblemHttpResult NotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound, title: "Webhook endpoint not found.",
            detail: "The tenant has no webhook endpoint of that id.");

    [LoggerMessage(1, LogLevel.Information, "Webhook endpoint {EndpointId} created for tenant '{Tenant}' by {Actor}.")]
    private static partial void LogCreated(ILogger logger, string tenant, Guid endpointId, string actor);

    [LoggerMessage(2, LogLevel.Information, "Webhook endpoint {EndpointId} of tenant '{Tenant}' changed by {Actor} (enabled: {Enabled}).")]
    private static partial void LogUpdated(ILogger logger, string tenant, Guid endpointId, bool enabled, string actor);

    [LoggerMessage(3, LogLevel.Information, "Webhook endpoint {EndpointId} of tenant '{Tenant}' deleted by {Actor}.")]
    private static partial void LogDeleted(ILogger logger, string tenant, Guid endpointId, string actor);

    [LoggerMessage(4, LogLevel.Information, "Webhook endpoint {EndpointId} of tenant '{Tenant}': secret rotated by {Actor}.")]
    private static partial void LogRotated(ILogger logger, string tenant, Guid endpointId, string actor);
}
