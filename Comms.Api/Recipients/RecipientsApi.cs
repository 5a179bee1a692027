using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Preferences;
using Comms.Core.Recipients;
using Comms.Core.Recipients.Bulk;
using Comms.Core.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Comms.Api.Recipients;

/// <summary>
/// A tenant's recipients (SPEC S1), keyed by the host product's external id: upsert (one or a bulk sync), read, list,
/// delete, their push devices and their preferences. Any key of the tenant may read; writing needs an
/// editor or admin key.
/// </summary>
public static class RecipientsApi
{
    /// <summary>The services behind recipients, devices, API keys, categories and the preference center.</summary>
    public static IServiceCollection AddRecipientServices(this IServiceCollection services)
    {
        services.TryAddSingleton<RecipientService>();
        services.TryAddSingleton<RecipientBulkService>();
        services.TryAddSingleton<DeviceService>();
        services.TryAddSingleton<ApiKeyService>();
        services.TryAddSingleton<CategoryService>();
        services.TryAddSingleton<PreferenceService>();
        services.TryAddSingleton<Comms.Core.Privacy.RecipientExport>();
        services.TryAddSingleton<Comms.Core.Privacy.RecipientErasure>();
        return services;
    }

    public static RouteGroupBuilder MapRecipientsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/recipients").WithTags("Recipients").RequireAuthorization(AuthExtensions.ServicePolicy);

        group.MapGet("/", List)
            .WithSummary("List recipients in id order")
            .WithDescription("Cursor pagination: pass the answer's 'next' as 'after'. Optional 'role' filter; 'limit' 1-100 (default 50).");
        group.MapPost("/", Post)
            .WithSummary("Create or update a recipient named by externalId in the body")
            .AsUpsert();
        group.MapGet("/{externalId}", Get)
            .WithSummary("Get a recipient by external id")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.RecipientNotFound);
        group.MapPut("/{externalId}", Put)
            .WithSummary("Create or update a recipient by external id")
            .AsUpsert();
        group.MapDelete("/{externalId}", Delete)
            .WithSummary("Delete a recipient with their devices and preferences")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.RecipientNotFound)
            .RequireAuthorization(AuthExtensions.EditorPolicy);

        group.MapRecipientBulk();
        group.MapRecipientDevices();
        group.MapRecipientPreferences();
        group.MapRecipientPrivacy();
        return group;
    }

    public static async Task<Results<Ok<RecipientPage>, ValidationProblem>> List(
        HttpContext http, [FromServices] RecipientService recipients, string? role, string? after, int? limit,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Guid? cursor = null;
        if (after is not null)
        {
            if (Guid.TryParse(after, out var id))
            {
                cursor = id;
            }
            else
            {
                errors["after"] = ["after must be the 'next' value of a previous page."];
            }
        }

        if (limit is < 1 or > RecipientService.MaxPageSize)
        {
            errors["limit"] = [$"limit must be between 1 and {RecipientService.MaxPageSize}."];
        }

        if (role is not null && !RecipientFormats.IsSlug(role))
        {
            errors["role"] = ["role must be a role name: 1-64 lower-case letters, digits, _ and -."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The query is invalid.", type: "COMMS_VALIDATION");
        }

        var page = await recipients.ListAsync(http.User.TenantId(), role, cursor, limit ?? RecipientService.DefaultPageSize, cancellationToken);
        return TypedResults.Ok(page);
    }

    public static async Task<Results<Ok<RecipientView>, ProblemHttpResult>> Get(
        string externalId, HttpContext http, [FromServices] RecipientService recipients, CancellationToken cancellationToken)
    {
        var recipient = await recipients.GetAsync(http.User.TenantId(), externalId, cancellationToken);
        return recipient is null ? RecipientNotFound(externalId) : TypedResults.Ok(recipient);
    }

    public static Task<Results<Created<RecipientView>, Ok<RecipientView>, ValidationProblem, ProblemHttpResult>> Post(
        [FromBody] RecipientRequest? request, HttpContext http, [FromServices] RecipientService recipients,
        CancellationToken cancellationToken) =>
        UpsertAsync(null, request, http, recipients, cancellationToken);

    public static Task<Results<Created<RecipientView>, Ok<RecipientView>, ValidationProblem, ProblemHttpResult>> Put(
        string externalId, [FromBody] RecipientRequest? request, HttpContext http, [FromServices] RecipientService recipients,
        CancellationToken cancellationToken) =>
        UpsertAsync(externalId, request, http, recipients, cancellationToken);

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string externalId, HttpContext http, [FromServices] RecipientService recipients, CancellationToken cancellationToken) =>
        await recipients.DeleteAsync(http.User.TenantId(), externalId, cancellationToken)
            ? TypedResults.NoContent()
            : RecipientNotFound(externalId);

    private static async Task<Results<Created<RecipientView>, Ok<RecipientView>, ValidationProblem, ProblemHttpResult>> UpsertAsync(
        string? externalId, RecipientRequest? request, HttpContext http, RecipientService recipients, CancellationToken cancellationToken)
    {
        var saved = await recipients.UpsertAsync(http.User.TenantId(), externalId, request, cancellationToken);
        if (saved.Erased)
        {
            return RecipientPrivacyEndpoints.RecipientErased(externalId ?? request!.ExternalId!);
        }

        if (saved.Recipient is not { } recipient)
        {
            return TypedResults.ValidationProblem(saved.Errors!, title: "The recipient is invalid; nothing was stored.", type: "COMMS_VALIDATION");
        }

        return saved.Created
            ? TypedResults.Created(Location(recipient.ExternalId), recipient)
            : TypedResults.Ok(recipient);
    }

    /// <summary>What POST and PUT share: the upsert's description and the editor policy.</summary>
    private static RouteHandlerBuilder AsUpsert(this RouteHandlerBuilder endpoint) =>
        endpoint
            .WithDescription("An upsert: 201 when created, 200 when updated. Fields left out keep their value; \"\" clears a text field. "
                + "The external id of an erased recipient cannot be used again (409).")
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.RecipientErased)
            .RequireAuthorization(AuthExtensions.EditorPolicy);

    internal static string Location(string externalId) => $"/v1/recipients/{Uri.EscapeDataString(externalId)}";

    internal static ProblemHttpResult RecipientNotFound(string externalId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, type: "COMMS_RECIPIENT_NOT_FOUND",
            title: "Recipient not found.", detail: $"The tenant has no recipient with external id {RecipientFormats.Quote(externalId)}.");
}
