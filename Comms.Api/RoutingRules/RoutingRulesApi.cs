namespace Comms.Api.RoutingRules;

// PLACEHOLDER, replaced by the feature's implementation.
public static class RoutingRulesApi
{
    public static RouteGroupBuilder MapRoutingRulesApi(this IEndpointRouteBuilder app) => app.MapGroup("/v1/routing-rules").WithTags("Routing rules");
}
