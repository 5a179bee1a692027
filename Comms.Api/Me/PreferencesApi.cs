namespace Comms.Api.Me;

// PLACEHOLDER, replaced by the feature's implementation.
public static class PreferencesApi
{
    public static RouteGroupBuilder MapMePreferencesApi(this IEndpointRouteBuilder app) => app.MapGroup("/me/notifications/preferences").WithTags("Me: preferences");
}
