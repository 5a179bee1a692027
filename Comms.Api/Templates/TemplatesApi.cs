namespace Comms.Api.Templates;

// PLACEHOLDER, replaced by the feature's implementation.
public static class TemplatesApi
{
    public static RouteGroupBuilder MapTemplatesApi(this IEndpointRouteBuilder app) => app.MapGroup("/v1/templates").WithTags("Templates");
}
