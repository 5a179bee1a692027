namespace Comms.Api.Recipients;

// PLACEHOLDER, replaced by the feature's implementation.
public static class RecipientsApi
{
    public static RouteGroupBuilder MapRecipientsApi(this IEndpointRouteBuilder app) => app.MapGroup("/v1/recipients").WithTags("Recipients");
}
