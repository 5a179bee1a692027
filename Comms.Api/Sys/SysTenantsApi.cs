using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Email;
using Comms.Core.Routing;
using Comms.Core.Tenancy;
using Comms.ServiceDefaults.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Comms.Api.Sys;

/// <summary>Platform operators manage tenants: create one (with its first admin API key), list, get, change.</summary>
public static class SysTenantsApi
{
    public static RouteGroupBuilder MapSysTenantsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sys/tenants").WithTags("Sys: tenants").RequireAuthorization(AuthExtensions.SysPolicy);
        group.MapPost("/", Create)
            .WithSummary("Create a tenant and its first admin API key")
            .WithDescription("The key is in the response once and never again; store it. With an operator token this needs a recent sign-in (fresh-auth). Give id (a slug), name, and optionally defaultLocale and defaultTimeZone.")
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.Conflict)
            .RequireFreshAuth(); // it creates an admin API key: an operator needs a recent password (the platform key is not asked)
        group.MapGet("/", List).WithSummary("List tenants (page with 'after', the last id seen)");
        group.MapGet("/{id}", Get).WithSummary("Get a tenant")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        group.MapPatch("/{id}", Update).WithSummary("Change a tenant's name, default locale, default time zone, allowed link schemes, rate-limit plan, SMS categories (smsCategories), email provider (emailProvider) or retention (retentionDays)")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        return group;
    }

    public static async Task<Results<Created<TenantCreated>, ValidationProblem, ProblemHttpResult>> Create(
        TenantRequest? request, TenantService tenants, HttpContext http, IOptions<RateLimitOptions> limits, IConfiguration configuration,
        CancellationToken cancellationToken)
    {
        var errors = TenantService.Validate(request, creating: true, limits.Value.Plans.Keys, EmailProviders.Configured(configuration));
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The tenant is invalid.", type: "COMMS_VALIDATION");
        }

        var created = await tenants.CreateAsync(request!, cancellationToken);
        if (created is null)
        {
            return TypedResults.Problem(statusCode: 409, type: "COMMS_CONFLICT", title: "The tenant exists.",
                detail: $"A tenant with id '{request!.Id}' exists already.");
        }

        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created($"/sys/tenants/{created.Tenant.Id}", created);
    }

    public static async Task<Results<Ok<IReadOnlyList<TenantView>>, ValidationProblem>> List(
        string? after, int? limit, TenantService tenants, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 500)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit must be between 1 and 500."] }, type: "COMMS_VALIDATION");
        }

        return TypedResults.Ok(await tenants.ListAsync(after, limit ?? 100, cancellationToken));
    }

    public static async Task<Results<Ok<TenantView>, ProblemHttpResult>> Get(string id, TenantService tenants, CancellationToken cancellationToken) =>
        await tenants.GetAsync(id, cancellationToken) is { } tenant ? TypedResults.Ok(tenant) : NotFound(id);

    public static async Task<Results<Ok<TenantView>, ValidationProblem, ProblemHttpResult>> Update(
        string id, TenantRequest? request, TenantService tenants, CatalogChanges changes, IOptions<RateLimitOptions> limits,
        IConfiguration configuration, CancellationToken cancellationToken)
    {
        // The email providers this deployment configured (the API is given the same provider settings as the dispatcher).
        var errors = TenantService.Validate(request, creating: false, limits.Value.Plans.Keys, EmailProviders.Configured(configuration));
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The change is invalid.", type: "COMMS_VALIDATION");
        }

        var updated = await tenants.UpdateAsync(id, request!, cancellationToken);
        if (updated is null)
        {
            return NotFound(id);
        }

        // The defaults take part in routing (locale chain, quiet hours of users without a time zone).
        await changes.PublishAsync(id);
        return TypedResults.Ok(updated);
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: 404, type: "COMMS_NOT_FOUND", title: "Tenant not found.", detail: $"No tenant '{id}' exists.");
}
