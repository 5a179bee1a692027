using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Comms.IntegrationTests.Pipeline;

/// <summary>No endpoint ever answers 500 to bad input: every mapped route gets malformed bodies and queries.</summary>
[Collection(CommsCollection.Name)]
public sealed partial class BadInputTests(CommsFixture fixture)
{
    private static readonly string[] Bodies =
        ["", "null", "[]", "\"text\"", "42", "{", "{}", """{"name":{},"channels":"email","recipients":[1],"payload":"x"}""",
         """{"content":[],"variablesSchema":"{not json","preferences":[{"category":7}],"quietHours":{"start":"25:99"}}"""];

    [GeneratedRegex(@"\{([^}:?=]+)[^}]*\}")]
    private static partial Regex RouteParameter();

    [Fact]
    public async Task Malformed_requests_to_every_endpoint_get_4xx_problem_details_never_500()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var endpoints = fixture.Api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is not null)
            .Select(e => (Path: Fill(e.RoutePattern.RawText!), Methods: e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods))
            .Where(e => e.Path.StartsWith("/v1/", StringComparison.Ordinal) || e.Path.StartsWith("/me/", StringComparison.Ordinal) || e.Path.StartsWith("/sys/", StringComparison.Ordinal))
            .ToList();
        var failures = new List<string>();
        var clientErrors = 0;

        foreach (var (path, methods) in endpoints)
        {
            var client = path.StartsWith("/me/", StringComparison.Ordinal) ? tenant.UserClient("alice")
                : path.StartsWith("/sys/", StringComparison.Ordinal) ? SysClient()
                : tenant.ApiClient();
            foreach (var method in methods)
            {
                var bodies = method is "GET" or "DELETE" ? [""] : Bodies;
                foreach (var body in bodies)
                {
                    using var request = new HttpRequestMessage(new HttpMethod(method), path + "?limit=abc&before=zz&after=%00&status=nope&reason=%27");
                    if (method is not ("GET" or "DELETE"))
                    {
                        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                    }

                    var response = await client.SendAsync(request);
                    if ((int)response.StatusCode >= 500)
                    {
                        failures.Add($"{method} {path} with {body}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }
                    else if (!response.IsSuccessStatusCode)
                    {
                        clientErrors++;
                    }

                    if (!response.IsSuccessStatusCode && (int)response.StatusCode < 500
                        && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    {
                        failures.Add($"{method} {path} with {body}: {(int)response.StatusCode} without problem details");
                    }
                }
            }
        }

        Assert.True(endpoints.Count > 40);
        Assert.Empty(failures);
        Assert.True(clientErrors > 200, $"only {clientErrors} requests were refused: the malformed input did not reach the endpoints");
    }

    private HttpClient SysClient()
    {
        var client = fixture.Api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", CommsFixture.SysKey);
        return client;
    }

    private static string Fill(string pattern) => RouteParameter().Replace(pattern, match => match.Groups[1].Value switch
    {
        "externalId" => "alice",
        "channel" => "email",
        "locale" => "en-US",
        "version" => "1",
        "name" or "eventName" => TestTenant.WelcomeEvent,
        _ when match.Value.Contains(":guid", StringComparison.Ordinal) => Guid.NewGuid().ToString(),
        _ => "x",
    });
}
