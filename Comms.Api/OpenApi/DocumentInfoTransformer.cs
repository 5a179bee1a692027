using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Comms.Api.OpenApi;

/// <summary>The document's title, introduction and security schemes.</summary>
internal sealed class DocumentInfoTransformer : IOpenApiDocumentTransformer
{
    private const string Introduction = """
        Comms routes a product's **events** to its people as email, in-app notifications (with a live inbox), push,
        SMS and webhooks, with preferences, quiet hours, audit and delivery guarantees built in.

        ## Authentication
        - **Product backends** (`/v1`): a tenant API key, `Authorization: Bearer cms_…`. Keys carry roles: any key
          reads and posts events; writes need `editor` (or `admin`); keys and signing keys need `admin`; approving
          critical templates needs `approver`. The development seed's key is `demo-api-key`.
        - **End users** (`/me`): a JWT the host product signs with one of its tenant's signing keys
          (`POST /v1/signing-keys`): header `kid`, claims `sub` (the user's external id), `tid` (the tenant),
          `iss`, `aud`, `exp`.
        - **Platform operators** (`/sys`): the operator key of `Comms:Sys:ApiKey`.

        ## Idempotency
        `POST /v1/events` and `POST /v1/events/bulk` honour an `Idempotency-Key` header for 24 hours: a repeat
        returns the first response (with `Idempotent-Replayed: true`), even while the first is still in flight;
        the same key with another body is 422 `COMMS_IDEMPOTENCY_KEY_REUSED`.

        ## Errors
        Every error is an RFC 9457 problem details document (`application/problem+json`) whose `type` is a stable
        code such as `COMMS_VALIDATION` (400, with `errors` per field), `COMMS_UNAUTHORIZED` (401), `COMMS_FORBIDDEN`
        (403), `COMMS_NOT_FOUND` (404), `COMMS_RATE_LIMITED` (429, with `Retry-After`) or one of the 422 codes of an
        operation (`COMMS_UNKNOWN_EVENT`, `COMMS_TEMPLATE_MISSING_VAR`, …). Bad input never stores anything half-way.
        Each operation lists every status it can answer, with the codes each one can carry in its description.

        ## .NET client
        `Comms.Client` is generated from this document (Kiota) and adds retries with one `Idempotency-Key`, problem
        details as `CommsProblemException`, and `UserTokens.Create` for end-user tokens.

        The [README](/readme) explains the whole product: running it, every endpoint, configuration.
        """;

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo { Title = "Comms API", Version = "v1", Description = Introduction };
        // No "servers": clients and Scalar use the address they fetched the document from, and the committed copy
        // (docs/openapi/v1.json) is the same wherever the API runs.
        document.Servers = [];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [SecuritySchemes.ApiKey] = Bearer("A tenant API key (cms_…). Development: demo-api-key."),
            [SecuritySchemes.UserToken] = Bearer("An end user's JWT, signed by the host product with a tenant signing key.", "JWT"),
            [SecuritySchemes.OperatorKey] = Bearer("The platform operator key (Comms:Sys:ApiKey; development: demo-sys-key), or an operator token from POST /sys/auth/token (development: ops@example.test, password Operator-Passw0rd!)."),
            [SecuritySchemes.TwilioSignature] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Twilio-Signature",
                Description = "Twilio's webhook signature: base64 HMAC-SHA1, keyed with Comms:Providers:Twilio:AuthToken, of the URL and the sorted form fields.",
            },
        };

        // Every error response refers to it (see OperationSecurityTransformer), whether or not an endpoint declared it.
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        if (!document.Components.Schemas.ContainsKey("ProblemDetails"))
        {
            document.Components.Schemas["ProblemDetails"] =
                await context.GetOrCreateSchemaAsync(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), cancellationToken: cancellationToken);
        }
    }

    private static OpenApiSecurityScheme Bearer(string description, string? format = null) => new()
    {
        Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = format, Description = description,
    };
}
