using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Preferences;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Comms.Api.Categories;

/// <summary>
/// Notification categories: the built-in ones and the tenant's own. Any key may read; editor or admin
/// keys define the tenant's categories. Routers see a change at once (catalog change notifications).
/// </summary>
public static class CategoriesApi
{
    public static RouteGroupBuilder MapCategoriesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/categories").WithTags("Categories").RequireAuthorization(AuthExtensions.ServicePolicy);

        group.MapGet("/", List)
            .WithSummary("List the built-in and the tenant's categories")
            .WithDescription("Each with its critical flag and default channels (in_app and webhook are always on by default).");
        group.MapPut("/{name}", Put)
            .WithSummary("Create or update a tenant category")
            .WithDescription("201 when created, 200 when updated; fields left out keep their value. Built-in names answer 409.")
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.CategoryBuiltIn)
            .RequireAuthorization(AuthExtensions.EditorPolicy);
        group.MapDelete("/{name}", Delete)
            .WithSummary("Delete a tenant category")
            .WithDescription("Removes users' preferences for it too. Built-in categories, and categories still used by routing rules or templates, answer 409.")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.CategoryBuiltIn, ProblemTypes.CategoryInUse)
            .RequireAuthorization(AuthExtensions.EditorPolicy);

        return group;
    }

    public static async Task<Ok<IReadOnlyList<CategoryView>>> List(
        HttpContext http, [FromServices] CategoryService categories, CancellationToken cancellationToken) =>
        TypedResults.Ok(await categories.ListAsync(http.User.TenantId(), cancellationToken));

    public static async Task<Results<Created<CategoryView>, Ok<CategoryView>, ValidationProblem, ProblemHttpResult>> Put(
        string name, [FromBody] CategoryRequest? request, HttpContext http, [FromServices] CategoryService categories,
        CancellationToken cancellationToken)
    {
        var saved = await categories.UpsertAsync(http.User.TenantId(), name, request, cancellationToken);
        return saved.Change switch
        {
            CategoryChange.Created => TypedResults.Created($"/v1/categories/{name}", saved.Category),
            CategoryChange.Updated => TypedResults.Ok(saved.Category!),
            CategoryChange.BuiltIn => BuiltIn(name),
            _ => TypedResults.ValidationProblem(saved.Errors!, title: "The category is invalid; nothing was stored.", type: "COMMS_VALIDATION"),
        };
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string name, HttpContext http, [FromServices] CategoryService categories, CancellationToken cancellationToken)
    {
        var deleted = await categories.DeleteAsync(http.User.TenantId(), name, cancellationToken);
        return deleted.Change switch
        {
            CategoryChange.Deleted => TypedResults.NoContent(),
            CategoryChange.BuiltIn => BuiltIn(name),
            CategoryChange.InUse => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, type: "COMMS_CATEGORY_IN_USE",
                title: "The category is still in use.", detail: deleted.Detail + " Move them to another category first."),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, type: "COMMS_NOT_FOUND", title: "Category not found.",
                detail: "The tenant has no category of that name."),
        };
    }

    private static ProblemHttpResult BuiltIn(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, type: "COMMS_CATEGORY_BUILT_IN",
            title: "Built-in categories cannot be changed.",
            detail: $"'{name}' is a built-in category; choose another name for a category of your own.");
}
