using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Comms.Api.ApiKeys;

/// <summary>
/// The tenant's API keys (SPEC S1): created with the secret shown once, listed without it, revoked at
/// once. Admin keys only.
/// </summary>
public static partial class ApiKeysApi
{
    private const string LogCategory = "Comms.Api.ApiKeys";

    public static RouteGroupBuilder MapApiKeysApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/api-keys").WithTags("API keys").RequireAuthorization(AuthExtensions.AdminPolicy);

        group.MapPost("/", Create)
            .WithSummary("Create an API key")
            .WithDescription("Answers 201 with the key itself, shown this once; only its SHA-256 hash is stored. Roles: admin, editor, approver (none: may post events and read).");
        group.MapGet("/", List)
            .WithSummary("List the tenant's API keys")
            .WithDescription("Id, name, prefix, roles, createdAt and revokedAt; never the key or its hash.");
        group.MapGet("/{id:guid}", Get)
            .WithSummary("Get one API key (without the secret)")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        group.MapDelete("/{id:guid}", Revoke)
            .WithSummary("Revoke an API key")
            .WithDescription("The key stops working at once. The tenant's last active admin key cannot be revoked (409).")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.LastAdminKey);

        return group;
    }

    public static async Task<Results<Created<CreatedApiKey>, ValidationProblem>> Create(
        [FromBody] ApiKeyRequest? request, HttpContext http, [FromServices] ApiKeyService keys, ILoggerFactory logs,
        CancellationToken cancellationToken)
    {
        var errors = ApiKeyService.Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The API key request is invalid; no key was created.", type: "COMMS_VALIDATION");
        }

        var created = await keys.CreateAsync(http.User.TenantId(), request!, cancellationToken);
        LogCreated(logs.CreateLogger(LogCategory), http.User.TenantId(), created.Prefix, string.Join(',', created.Roles), http.User.Actor());
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created($"/v1/api-keys/{created.Id}", created);
    }

    public static async Task<Ok<IReadOnlyList<ApiKeyView>>> List(
        HttpContext http, [FromServices] ApiKeyService keys, CancellationToken cancellationToken) =>
        TypedResults.Ok(await keys.ListAsync(http.User.TenantId(), cancellationToken));

    public static async Task<Results<Ok<ApiKeyView>, ProblemHttpResult>> Get(
        Guid id, HttpContext http, [FromServices] ApiKeyService keys, CancellationToken cancellationToken) =>
        await keys.GetAsync(http.User.TenantId(), id, cancellationToken) is { } key ? TypedResults.Ok(key) : NotFound(id);

    public static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        Guid id, HttpContext http, [FromServices] ApiKeyService keys, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        switch (await keys.RevokeAsync(http.User.TenantId(), id, cancellationToken))
        {
            case ApiKeyRevocation.Revoked:
                LogRevoked(logs.CreateLogger(LogCategory), http.User.TenantId(), id, http.User.Actor());
                return TypedResults.NoContent();
            case ApiKeyRevocation.AlreadyRevoked:
                return TypedResults.NoContent();
            case ApiKeyRevocation.LastAdminKey:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, type: "COMMS_LAST_ADMIN_KEY",
                    title: "The tenant's last admin key cannot be revoked.",
                    detail: $"Key {id} is the tenant's only active admin key; create another admin key first, then revoke this one.");
            default:
                return NotFound(id);
        }
    }

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, type: "COMMS_NOT_FOUND", title: "API key not found.",
            detail: $"The tenant has no API key {id}.");

    [LoggerMessage(1, LogLevel.Information, "API key {Prefix} created for tenant '{Tenant}' with roles [{Roles}] by {Actor}.")]
    private static partial void LogCreated(ILogger logger, string tenant, string prefix, string roles, string actor);

    [LoggerMessage(2, LogLevel.Information, "API key {KeyId} of tenant '{Tenant}' revoked by {Actor}.")]
    private static partial void LogRevoked(ILogger logger, string tenant, Guid keyId, string actor);
}
