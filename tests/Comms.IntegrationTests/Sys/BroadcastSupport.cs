using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Operators;
using Comms.IntegrationTests.Auth;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Sys;

/// <summary>Operators, drafts and requests the broadcast tests share.</summary>
internal sealed class BroadcastSupport(CommsFixture fixture)
{
    public HttpClient Client { get; } = fixture.Api.CreateClient();

    public async Task<(Operator Op, string Token)> OperatorAsync()
    {
        var op = await OperatorTestSupport.CreateAsync(fixture, OperatorRoles.SysOperator);
        return (op, await OperatorTestSupport.TokenAsync(Client, op.Email!));
    }

    public static object Draft(object audience, string[]? channels = null, string subject = "Maintenance tonight", string body = "Hello {{ recipient.name }}, we restart at 22:00 UTC.") =>
        new { title = "Maintenance", audience, channels = channels ?? ["email"], subject, body };

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return Client.SendAsync(request.With(token));
    }

    public async Task<Guid> CreateAsync(object draft, string? token = null)
    {
        var response = await SendAsync(HttpMethod.Post, "/sys/broadcasts", token ?? CommsFixture.SysKey, draft);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        return body.GetProperty("id").GetGuid();
    }

    public async Task<JsonElement> GetAsync(Guid id)
    {
        var response = await SendAsync(HttpMethod.Get, $"/sys/broadcasts/{id}", CommsFixture.SysKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<(long Recipients, int Tenants)> CountAsync(Guid id)
    {
        var body = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/sys/broadcasts/{id}/audience-count").With(CommsFixture.SysKey));
        Assert.Equal(HttpStatusCode.OK, body.StatusCode);
        var json = await body.Content.ReadFromJsonAsync<JsonElement>();
        return (json.GetProperty("recipients").GetInt64(), json.GetProperty("tenants").GetInt32());
    }
}
