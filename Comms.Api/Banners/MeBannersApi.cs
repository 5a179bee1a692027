using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Banners;
using Comms.ServiceDefaults.Cors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Comms.Api.Banners;

/// <summary>The signed-in user's platform banners (issue 12): the ones active now for their tenant and roles, and dismissing one.</summary>
public static class MeBannersApi
{
    public static void MapMeBannersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/me/banners").WithTags("Me: banners").RequireAuthorization(AuthExtensions.EndUserPolicy)
            .RequireCors(WidgetCors.Policy);
        group.MapGet("/", List).WithSummary("The banners active now for the signed-in user, minus the ones they dismissed")
            .WithDescription("bodyHtml is the template's Markdown rendered to sanitized HTML. Fetch again on the hub's bannersChanged.");
        group.MapPost("/{activationId:guid}/dismiss", Dismiss).WithSummary("Dismiss a banner for the signed-in user (idempotent)")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.Conflict);
    }

    public static async Task<Ok<IReadOnlyList<MyBanner>>> List(HttpContext http, BannerService banners, CancellationToken cancellationToken) =>
        TypedResults.Ok(await banners.ForUserAsync(http.User.TenantId(), http.User.ExternalId(), cancellationToken));

    public static async Task<Results<NoContent, ProblemHttpResult>> Dismiss(
        Guid activationId, HttpContext http, BannerService banners, CancellationToken cancellationToken) =>
        await banners.DismissAsync(http.User.TenantId(), http.User.ExternalId(), activationId, cancellationToken) switch
        {
            DismissOutcome.Dismissed => TypedResults.NoContent(),
            DismissOutcome.NotDismissible => TypedResults.Problem(statusCode: 409, type: ProblemTypes.Conflict, title: "This banner cannot be dismissed.",
                detail: "Its template is not dismissible; it shows until it ends."),
            _ => TypedResults.Problem(statusCode: 404, type: ProblemTypes.NotFound, title: "Banner not found.",
                detail: $"No banner '{activationId}' is shown to this user."),
        };
}
