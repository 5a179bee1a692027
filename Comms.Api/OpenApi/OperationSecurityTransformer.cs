using Comms.Api.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Comms.Api.OpenApi;

/// <summary>
/// Declares on every operation which credential it takes (so Scalar's "Test request" sends the right header)
/// and the problem-details answers every authenticated operation can give: 400 (a malformed request),
/// 401, 403 (a key without the role), 413 (a body above the cap) and 429 (a rate limit).
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
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            return Task.CompletedTask;
        }

        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList();
        var scheme = policies.Select(p => SchemeOfPolicy.GetValueOrDefault(p)).FirstOrDefault(s => s is not null);
        if (scheme is null)
        {
            return Task.CompletedTask;
        }

        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] }];
        operation.Responses ??= new OpenApiResponses();
        AddProblem(operation, context, "400", "The request is malformed or invalid (COMMS_BAD_REQUEST, COMMS_VALIDATION).");
        AddProblem(operation, context, "401", "No valid credential (COMMS_UNAUTHORIZED); `detail` says why.");
        if (policies.Any(p => p is AuthExtensions.AdminPolicy or AuthExtensions.EditorPolicy or AuthExtensions.ApproverPolicy))
        {
            AddProblem(operation, context, "403", "The key lacks the role this operation needs (COMMS_FORBIDDEN).");
        }

        if (operation.RequestBody is not null)
        {
            AddProblem(operation, context, "413", "The request body is above the cap (COMMS_REQUEST_TOO_LARGE).");
        }

        AddProblem(operation, context, "429", "A rate limit was reached (COMMS_RATE_LIMITED); see `Retry-After`.");
        return Task.CompletedTask;
    }

    private static void AddProblem(OpenApiOperation operation, OpenApiOperationTransformerContext context, string status, string description)
    {
        if (operation.Responses!.ContainsKey(status))
        {
            return;
        }

        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", context.Document) },
            },
        };
    }
}
