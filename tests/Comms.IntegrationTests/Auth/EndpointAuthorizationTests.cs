using System.Security.Claims;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Comms.IntegrationTests.Auth;

/// <summary>Every endpoint of the API and the Web says who may call it; one that forgets is closed by the fallback policy.</summary>
[Collection(CommsCollection.Name)]
public sealed class EndpointAuthorizationTests(CommsFixture fixture)
{
    public static TheoryData<string> Services => ["api", "web"];

    private IServiceProvider ServicesOf(string service) => service == "api" ? fixture.Api.Services : fixture.Web.Services;

    [Theory]
    [MemberData(nameof(Services))]
    public void Every_mapped_endpoint_requires_authorization_or_is_explicitly_anonymous(string service)
    {
        var endpoints = ServicesOf(service).GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        var unmarked = endpoints
            .Where(e => e.Metadata.GetMetadata<IAuthorizeData>() is null && e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Select(e => $"{string.Join(',', e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])} {e.RoutePattern.RawText}")
            .ToList();

        Assert.True(endpoints.Count > 5);
        Assert.True(unmarked.Count == 0, "Endpoints without authorization metadata:\n" + string.Join("\n", unmarked));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task An_endpoint_without_a_policy_is_closed_even_to_an_authenticated_caller(string service)
    {
        var services = ServicesOf(service);
        var fallback = await services.GetRequiredService<IAuthorizationPolicyProvider>().GetFallbackPolicyAsync();
        Assert.NotNull(fallback);
        var forgotten = new DefaultHttpContext { RequestServices = services };
        forgotten.SetEndpoint(new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(), "forgotten"));
        var anyone = new ClaimsPrincipal(new ClaimsIdentity([new Claim("tid", "t"), new Claim("sub", "u")], "test"));

        var result = await services.GetRequiredService<IAuthorizationService>().AuthorizeAsync(anyone, forgotten, fallback);

        Assert.False(result.Succeeded);
    }
}
