using Comms.Api.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Comms.Api.OpenApi;

/// <summary>
/// Declares on every operation which credential it takes (so Scalar's "Test request" sends the right header)
/// and the problem-details answers every authenticated operation can give whatever its handler does: 400 (a
/// malformed request), 401, 403 (a key without the role), 413 and 415 (a body above the cap or not JSON), 429 (a
/// rate limit) and 503 (PostgreSQL is away). Every error response's description lists the <c>COMMS_*</c> codes it
/// can carry: these, merged with those the endpoint declares (<see cref="ProblemResponses.ProducesProblems"/>).
/// </summary>
internal sealed class OperationSecurityTransformer : IOpenApiOperationTransformer
{
    private static readonly Dictionary<string, string> SchemeOfPolicy = new(StringComparer.Ordinal)
    {
        [AuthExtensions.ServicePolicy] = SecuritySchemes.ApiKey,
        [AuthExtensions.AdminPolicy] = SecuritySchemes.ApiKey,
        [AuthExtensions.EditorPolicy] = SecuritySchemes.ApiKey,
        [AuthExtensions.ApproverPolicy] = SecuritySchemes.ApiKey,
        [AuthExtensions.EndUserPolicy] = SecuritySchemes.UserToken,
        [AuthExtensions.SysPolicy] = SecuritySchemes.OperatorKey,
        [AuthExtensions.OperatorPolicy] = SecuritySchemes.OperatorKey,
        [Contexts.ContextHostAuth.Policy] = SecuritySchemes.ApiKey,
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            // No credential of ours (e.g. a provider's signed webhook): its provider's signature, and the problems it declares.
            if (metadata.OfType<ProviderSignatureMetadata>().FirstOrDefault() is { } signed)
            {
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(signed.Scheme, context.Document)] = [] }];
            }

            DescribeDeclared(operation, metadata, []);
            return Task.CompletedTask;
        }

        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList();
        var scheme = policies.Select(p => SchemeOfPolicy.GetValueOrDefault(p)).FirstOrDefault(s => s is not null);
        if (scheme is null)
        {
            return Task.CompletedTask;
        }

        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] }];
        if (policies.Contains(Contexts.ContextHostAuth.Policy))
        {
            // Either credential: a key of the tenant, or the context owner's user token.
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemes.UserToken, context.Document)] = [] });
        }

        operation.Responses ??= new OpenApiResponses();
        var codes = metadata.OfType<ProblemResponseMetadata>()
            .GroupBy(m => m.StatusCode)
            .ToDictionary(g => g.Key, g => g.SelectMany(m => m.Codes).ToList());

        var described = new HashSet<int>();
        void Problem(int status, string[] global, string note)
        {
            AddProblem(operation, context, status, [.. global, .. codes.GetValueOrDefault(status) ?? []], note);
            described.Add(status);
        }

        Problem(StatusCodes.Status400BadRequest, [ProblemTypes.BadRequest, ProblemTypes.Validation],
            "A malformed request (`detail` names the JSON path) or invalid input (`errors` per field).");
        Problem(StatusCodes.Status401Unauthorized, [ProblemTypes.Unauthorized], "No valid credential; `detail` says why.");
        if (policies.Contains(AuthExtensions.SysPolicy))
        {
            Problem(StatusCodes.Status403Forbidden, [ProblemTypes.Forbidden], "An operator token without the SysOperator role.");
        }
        else if (policies.Any(p => p is AuthExtensions.AdminPolicy or AuthExtensions.EditorPolicy or AuthExtensions.ApproverPolicy))
        {
            Problem(StatusCodes.Status403Forbidden, [ProblemTypes.Forbidden], "The key lacks the role this operation needs.");
        }

        if (operation.RequestBody is not null)
        {
            Problem(StatusCodes.Status413PayloadTooLarge, [ProblemTypes.RequestTooLarge], "The request body is above the cap.");
            Problem(StatusCodes.Status415UnsupportedMediaType, [ProblemTypes.BadRequest], "The body must be sent as application/json.");
        }

        Problem(StatusCodes.Status429TooManyRequests, [ProblemTypes.RateLimited], "See `Retry-After`.");
        Problem(StatusCodes.Status503ServiceUnavailable, [ProblemTypes.Unavailable], "A backing service is away; retry after `Retry-After`.");

        DescribeDeclared(operation, metadata, described);

        // In status order, as a reader looks them up.
        var ordered = operation.Responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        operation.Responses.Clear();
        foreach (var (status, response) in ordered)
        {
            operation.Responses[status] = response;
        }

        return Task.CompletedTask;
    }

    /// <summary>Statuses the endpoint declares by itself (404, 409, 422...): the description lists their codes.</summary>
    private static void DescribeDeclared(OpenApiOperation operation, IList<object> metadata, HashSet<int> described)
    {
        var codes = metadata.OfType<ProblemResponseMetadata>()
            .GroupBy(m => m.StatusCode)
            .ToDictionary(g => g.Key, g => g.SelectMany(m => m.Codes).ToList());
        foreach (var (status, declared) in codes)
        {
            if (operation.Responses?.TryGetValue(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) == true
                && response is OpenApiResponse concrete && !described.Contains(status))
            {
                concrete.Description = ProblemResponses.Describe(status, declared);
            }
        }
    }

    private static void AddProblem(OpenApiOperation operation, OpenApiOperationTransformerContext context, int status, IEnumerable<string> codes, string? note)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var description = ProblemResponses.Describe(status, codes, note);
        if (operation.Responses!.TryGetValue(key, out var existing))
        {
            // Declared by the endpoint (e.g. 400 by a ValidationProblem result): keep its schema, describe its codes.
            if (existing is OpenApiResponse concrete)
            {
                concrete.Description = description;
            }

            return;
        }

        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ProblemResponses.ContentType] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", context.Document) },
            },
        };
    }
}
