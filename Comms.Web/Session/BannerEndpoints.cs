using Comms.Core.Banners;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Comms.Web.Session;

/// <summary>
/// The platform banners the notification center page shows (the API's <c>GET /me/banners</c> and dismiss, for the page's
/// cookie session, through the same <see cref="BannerService"/>). The page fetches them again on the hub's <c>bannersChanged</c>.
/// </summary>
public static class BannerEndpoints
{
    public static IEndpointRouteBuilder MapBannerEndpoints(this IEndpointRouteBuilder app)
    {
        var user = app.MapGroup("/app/banners").RequireAuthorization(EndUserAuth.PagesPolicy).ExcludeFromDescription();
        user.MapGet("/", ListAsync);
        user.MapPost("/{activationId:guid}/dismiss", DismissAsync);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<MyBanner>>> ListAsync(HttpContext http, BannerService banners, CancellationToken cancellationToken)
    {
        var (tenant, user) = http.User.CurrentUser();
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(await banners.ForUserAsync(tenant, user, cancellationToken));
    }

    private static async Task<Results<NoContent, NotFound, Conflict>> DismissAsync(
        Guid activationId, HttpContext http, IAntiforgery antiforgery, BannerService banners, CancellationToken cancellationToken)
    {
        await antiforgery.ValidateRequestAsync(http);
        var (tenant, user) = http.User.CurrentUser();
        return await banners.DismissAsync(tenant, user, activationId, cancellationToken) switch
        {
            DismissOutcome.Dismissed => TypedResults.NoContent(),
            DismissOutcome.NotDismissible => TypedResults.Conflict(),
            _ => TypedResults.NotFound(),
        };
    }
}
