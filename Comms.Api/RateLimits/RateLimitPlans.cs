using Comms.Api.Auth;
using Comms.Core.Routing;
using Microsoft.AspNetCore.RateLimiting;

namespace Comms.Api.RateLimits;

/// <summary>
/// Tells the rate limiter which plan the caller's tenant is on (<c>Tenant.Plan</c>, from the cached
/// tenant catalog), for the endpoints limited per API key or per user. Runs after authorization.
/// </summary>
public sealed class RateLimitPlans(RequestDelegate next, TenantCatalog catalog)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var policy = context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
        if (policy is CommsRateLimitPolicies.ApiKey or CommsRateLimitPolicies.User
            && context.User.FindFirst(CommsClaims.Tenant)?.Value is { } tenantId
            && await catalog.GetAsync(tenantId, context.RequestAborted) is { Tenant.Plan: { } plan })
        {
            context.Items[CommsRateLimitPolicies.PlanItem] = plan;
        }

        await next(context);
    }
}

public static class RateLimitExtensions
{
    /// <summary>The tenant plan, then ASP.NET Core's rate limiter (after authorization: policies partition by key and user).</summary>
    public static IApplicationBuilder UseCommsRateLimits(this IApplicationBuilder app) =>
        app.UseMiddleware<RateLimitPlans>().UseRateLimiter();
}
