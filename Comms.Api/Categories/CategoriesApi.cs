namespace Comms.Api.Categories;

// PLACEHOLDER, replaced by the feature's implementation.
public static class CategoriesApi
{
    public static RouteGroupBuilder MapCategoriesApi(this IEndpointRouteBuilder app) => app.MapGroup("/v1/categories").WithTags("Categories");
}
