using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Isolation;
using Microsoft.EntityFrameworkCore;
using WireMock;
using WireMock.Logging;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Comms.IntegrationTests.Push;

/// <summary>Helpers for the push tests: a WireMock server standing in for the provider, devices, and push messages.</summary>
public static class PushWorld
{
    public static ResponseMessage Json(int status, string body, params (string Name, string Value)[] headers)
    {
        var response = new ResponseMessage
        {
            StatusCode = status,
            BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String },
        };
        response.AddHeader("Content-Type", "application/json; charset=utf-8");
        foreach (var (name, value) in headers)
        {
            response.AddHeader(name, value);
        }

        return response;
    }

    public static async Task<Guid> AddDeviceAsync(TestTenant tenant, string externalId, string provider, string token)
    {
        using var api = tenant.ApiClient();
        var response = await api.PutAsJsonAsync($"/v1/recipients/{externalId}/devices", new { provider, token });
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("id").GetGuid();
    }

    public static async Task<List<string>> TokensAsync(CommsFixture fixture, TestTenant tenant)
    {
        await using var db = fixture.CreateDbContext();
        return await db.Devices.Where(d => d.TenantId == tenant.Id).OrderBy(d => d.Token).Select(d => d.Token).ToListAsync();
    }

    public static RenderedContent Content(string title) =>
        new() { Title = title, Body = "Your order shipped.", Data = new Dictionary<string, string> { ["orderId"] = "42" } };

    public static async Task<Message> WaitForFinalAsync(CommsFixture fixture, Guid id) =>
        await Poll.UntilAsync(async () =>
        {
            var message = await DirectQueue.MessageAsync(fixture, id);
            return message.Status is MessageStatus.Sent or MessageStatus.Failed ? message : null;
        }, $"push message {id} to be sent or failed");

    public static IReadOnlyList<ILogEntry> Requests(WireMockServer server, string pathEnd) =>
        server.LogEntries.Where(e => e.RequestMessage.Path.EndsWith(pathEnd, StringComparison.Ordinal)).ToList();

    public static string Header(ILogEntry entry, string name) =>
        entry.RequestMessage.Headers!.First(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value.ToString() ?? "";
}
