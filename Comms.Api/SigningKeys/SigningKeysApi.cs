using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Comms.Api.SigningKeys;

/// <summary>
/// The tenant's user-token signing keys (SPEC S1): the host product signs its users' session JWTs with one
/// of them (<c>kid</c> in the token header). HS256 secrets are generated here and shown once; RS256 keys are
/// registered by their public key. Several may be active at once (rotation); a revoked key is refused at once.
/// Admin keys only.
/// </summary>
public static partial class SigningKeysApi
{
    private const string LogCategory = "Comms.Api.SigningKeys";

    public static RouteGroupBuilder MapSigningKeysApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/signing-keys").WithTags("Signing keys").RequireAuthorization(AuthExtensions.AdminPolicy);

        group.MapPost("/", Create)
            .WithSummary("Create an HS256 key or register an RS256 public key")
            .WithDescription("HS256: answers 201 with the generated secret, shown this once (the HMAC key is its UTF-8 bytes). RS256: give the public key as PEM in 'publicKey' or as a JWK in 'jwk'. 'kid' is optional (generated when left out) and unique within the tenant: 409 when taken. 'issuer' and 'audience' override the platform defaults for tokens of this key.")
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.Conflict, ProblemTypes.SigningKeyLimit);
        group.MapGet("/", List)
            .WithSummary("List the tenant's signing keys")
            .WithDescription("Kid, algorithm, the iss/aud its tokens must carry, the RS256 public key, createdAt and revokedAt; never a secret.");
        group.MapGet("/{kid}", Get).WithSummary("Get one signing key (without the secret)")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        group.MapDelete("/{kid}", Revoke)
            .WithSummary("Revoke a signing key")
            .WithDescription("Tokens of this kid are refused from the next request on, in every service. The kid is not reused.")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        return group;
    }

    public static async Task<Results<Created<CreatedSigningKey>, ValidationProblem, ProblemHttpResult>> Create(
        [FromBody] SigningKeyRequest? request, HttpContext http, [FromServices] SigningKeyService keys, ILoggerFactory logs,
        CancellationToken cancellationToken)
    {
        var (errors, publicKey) = SigningKeyService.Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The signing key request is invalid; no key was created.", type: "COMMS_VALIDATION");
        }

        var tenant = http.User.TenantId();
        var outcome = await keys.CreateAsync(tenant, request!, publicKey, cancellationToken);
        switch (outcome.Conflict)
        {
            case SigningKeyConflict.DuplicateKid:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, type: "COMMS_CONFLICT", title: "The kid is taken.",
                    detail: $"The tenant has a signing key '{outcome.Kid}' already (kids are never reused, not even after a revocation); choose another kid.");
            case SigningKeyConflict.TooManyKeys:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, type: "COMMS_SIGNING_KEY_LIMIT", title: "Too many active signing keys.",
                    detail: $"A tenant may have {SigningKeyService.MaxActiveKeys} active signing keys; revoke one first.");
        }

        var created = outcome.Created!;
        LogCreated(logs.CreateLogger(LogCategory), tenant, created.Kid, created.Algorithm, http.User.Actor());
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created($"/v1/signing-keys/{Uri.EscapeDataString(created.Kid)}", created);
    }

    public static async Task<Ok<IReadOnlyList<SigningKeyView>>> List(
        HttpContext http, [FromServices] SigningKeyService keys, CancellationToken cancellationToken) =>
        TypedResults.Ok(await keys.ListAsync(http.User.TenantId(), cancellationToken));

    public static async Task<Results<Ok<SigningKeyView>, ProblemHttpResult>> Get(
        string kid, HttpContext http, [FromServices] SigningKeyService keys, CancellationToken cancellationToken) =>
        SigningKeyService.IsValidKid(kid) && await keys.GetAsync(http.User.TenantId(), kid, cancellationToken) is { } key
            ? TypedResults.Ok(key)
            : NotFound(kid);

    public static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        string kid, HttpContext http, [FromServices] SigningKeyService keys, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        if (!SigningKeyService.IsValidKid(kid))
        {
            return NotFound(kid);
        }

        switch (await keys.RevokeAsync(http.User.TenantId(), kid, cancellationToken))
        {
            case SigningKeyRevocation.Revoked:
                LogRevoked(logs.CreateLogger(LogCategory), http.User.TenantId(), kid, http.User.Actor());
                return TypedResults.NoContent();
            case SigningKeyRevocation.AlreadyRevoked:
                return TypedResults.NoContent();
            default:
                return NotFound(kid);
        }
    }

    private static ProblemHttpResult NotFound(string kid) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, type: "COMMS_NOT_FOUND", title: "Signing key not found.",
            detail: SigningKeyService.IsValidKid(kid) ? $"The tenant has no signing key '{kid}'." : "The tenant has no signing key of that kid.");

    [LoggerMessage(1, LogLevel.Information, "Signing key '{Kid}' ({Algorithm}) created for tenant '{Tenant}' by {Actor}.")]
    private static partial void LogCreated(ILogger logger, string tenant, string kid, string algorithm, string actor);

    [LoggerMessage(2, LogLevel.Information, "Signing key '{Kid}' of tenant '{Tenant}' revoked by {Actor}.")]
    private static partial void LogRevoked(ILogger logger, string tenant, string kid, string actor);
}
