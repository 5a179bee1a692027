namespace Comms.Api.ApiKeys;

// PLACEHOLDER, replaced by the feature's implementation.
public static class ApiKeysApi
{
    public static RouteGroupBuilder MapApiKeysApi(this IEndpointRouteBuilder app) => app.MapGroup("/v1/api-keys").WithTags("API keys");
}
