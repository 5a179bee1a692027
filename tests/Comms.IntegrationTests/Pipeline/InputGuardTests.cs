extern alias api;

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Recipients;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Pipeline;

/// <summary>
/// Hostile but innocent-looking input: NUL characters anywhere, oversized bodies, dot segments in path
/// parameters, numeric enumerations, empty headers — each a 4xx problem naming what is wrong, nothing stored.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class InputGuardTests(CommsFixture fixture)
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("""{"name":"test.welcome","recipients":["ann"],"causeRef":"c1","payload":{"name":"A\u0000B"}}""", "payload.name")]
    [InlineData("""{"name":"test.welcome","recipients":["ann","b\u0000"],"causeRef":"c1","payload":{"name":"A"}}""", "recipients[1]")]
    [InlineData("""{"name":"test.welcome","recipients":["ann"],"causeRef":"c\u0000","payload":{"name":"A"}}""", "causeRef")]
    [InlineData("""{"name":"test.welcome","recipients":["ann"],"causeRef":"c1","payload":{"deep":[{"x":1},{"list":["ok","\u0000"]}]}}""", "payload.deep[1].list[1]")]
    [InlineData("""{"name":"test.welcome","recipients":["ann"],"causeRef":"c1","payload":{"ke\u0000y":"v"}}""", "payload['ke\\u0000y']")]
    public async Task A_nul_anywhere_in_an_event_body_is_400_naming_its_json_path_and_nothing_is_stored(string body, string path)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");

        var response = await tenant.ApiClient().PostAsync("/v1/events", Json(body));

        await response.AssertValidationAsync(path);
        await using var db = fixture.CreateDbContext();
        Assert.False(await db.Events.AnyAsync(e => e.TenantId == tenant.Id));
    }

    public static TheoryData<string, string, string, string> NulOperations => new()
    {
        { "PUT", "/v1/recipients/ann", """{"name":"A\u0000"}""", "name" },
        { "POST", "/v1/recipients", """{"externalId":"x\u0000y"}""", "externalId" },
        { "PUT", "/v1/recipients/ann/devices", """{"provider":"fcm","token":"t\u0000"}""", "token" },
        { "PUT", "/v1/recipients/ann/preferences", """{"preferences":[{"category":"booking\u0000","channel":"email","enabled":false}]}""", "preferences[0].category" },
        { "PUT", "/v1/categories/tips", """{"description":"d\u0000"}""", "description" },
        { "PUT", "/v1/templates/t1/email/en-US/draft", """{"content":{"subject":"s\u0000","text":"x"}}""", "content.subject" },
        { "POST", "/v1/templates/test.welcome/email/en-US/versions/1/preview", """{"payload":{"name":"\u0000"}}""", "payload.name" },
        { "PUT", "/v1/routing-rules/e1", """{"templateName":"t\u0000","channels":["email"]}""", "templateName" },
        { "POST", "/v1/api-keys", """{"name":"k\u0000","roles":["editor"]}""", "name" },
        { "POST", "/v1/events/bulk", """{"events":[{"name":"test.welcome","recipients":["ann"],"causeRef":"\u0000"}]}""", "events[0].causeRef" },
    };

    [Theory]
    [MemberData(nameof(NulOperations))]
    public async Task A_nul_in_any_operations_body_is_400_naming_the_field(string method, string path, string body, string field)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");

        var response = await tenant.ApiClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Json(body) });

        await response.AssertValidationAsync(field);
    }

    [Fact]
    public async Task A_nul_in_a_query_parameter_or_header_is_400_naming_it()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var api = tenant.ApiClient();
        var user = tenant.UserClient("ann");
        var sys = fixture.Api.CreateClient();
        sys.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", CommsFixture.SysKey);

        await (await user.GetAsync("/me/notifications?category=a%00b")).AssertValidationAsync("category");
        await (await api.GetAsync("/v1/recipients?role=%00")).AssertValidationAsync("role");
        await (await sys.GetAsync("/sys/tenants?after=x%00")).AssertValidationAsync("after");
        var withHeader = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = JsonContent.Create(new { name = "test.welcome" }) };
        withHeader.Headers.TryAddWithoutValidation("Idempotency-Key", "k\0ey");
        await (await api.SendAsync(withHeader)).AssertValidationAsync("Idempotency-Key");
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("5")]
    [InlineData("1")]
    [InlineData("unread,read")]
    [InlineData("")]
    public async Task Enumerations_take_only_their_names(string status)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");

        var response = await tenant.UserClient("ann").GetAsync($"/me/notifications?status={Uri.EscapeDataString(status)}");

        await response.AssertValidationAsync("status");
        Assert.Equal(HttpStatusCode.OK, (await tenant.UserClient("ann").GetAsync("/me/notifications?status=Unread")).StatusCode);
    }

    [Fact]
    public async Task An_empty_idempotency_key_is_400_naming_the_header()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var body = JsonSerializer.SerializeToUtf8Bytes(new { name = TestTenant.WelcomeEvent, recipients = new[] { "ann" }, causeRef = "c1", payload = new { name = "A" } });

        // HttpClient drops empty header values; curl -H 'Idempotency-Key;' does not.
        var context = await fixture.Api.Server.SendAsync(http =>
        {
            http.Request.Method = HttpMethods.Post;
            http.Request.Path = "/v1/events";
            http.Request.Headers.Authorization = $"Bearer {tenant.ApiKey}";
            http.Request.Headers["Idempotency-Key"] = "";
            http.Request.ContentType = "application/json";
            http.Request.ContentLength = body.Length;
            http.Request.Body = new MemoryStream(body);
        });

        Assert.Equal(StatusCodes.Status400BadRequest, context.Response.StatusCode);
        var problem = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("Idempotency-Key", out _));
        await using var db = fixture.CreateDbContext();
        Assert.False(await db.Events.AnyAsync(e => e.TenantId == tenant.Id));
    }

    [Fact]
    public async Task Bodies_over_the_cap_are_413_by_length_and_when_chunked_while_the_bulk_endpoint_has_its_own_cap()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var api = tenant.ApiClient();
        var big = BigEvent(2 * 1024 * 1024);

        var sized = await api.PostAsync("/v1/events", Json(big));
        var chunked = await api.PostAsync("/v1/events", Chunked(big));
        var bulk = await api.PostAsync("/v1/events/bulk", Json(BulkOf(25, 60_000)));

        await sized.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "COMMS_REQUEST_TOO_LARGE");
        await chunked.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "COMMS_REQUEST_TOO_LARGE");
        Assert.Equal(HttpStatusCode.Accepted, bulk.StatusCode);
        await using var db = fixture.CreateDbContext();
        Assert.Equal(25, await db.Events.CountAsync(e => e.TenantId == tenant.Id));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("%2e%2e")]
    [InlineData("%2E%2E")]
    [InlineData(".%2e")]
    [InlineData(".")]
    [InlineData("%2e")]
    public async Task Dot_segments_in_path_parameters_are_refused_and_never_reach_another_endpoint(string segment)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");

        // What Kestrel hands the app: the path with dot segments removed, the raw target as sent.
        var context = await fixture.Api.Server.SendAsync(http =>
        {
            http.Request.Method = HttpMethods.Delete;
            http.Request.Path = "/v1/recipients/ann";
            http.Features.Get<IHttpRequestFeature>()!.RawTarget = $"/v1/recipients/ann/devices/{segment}";
            http.Request.Headers.Authorization = $"Bearer {tenant.ApiKey}";
        });

        Assert.Equal(StatusCodes.Status400BadRequest, context.Response.StatusCode);
        var problem = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal("COMMS_VALIDATION", problem.RootElement.GetProperty("type").GetString());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("deviceId", out _));
        Assert.Equal(HttpStatusCode.OK, (await tenant.ApiClient().GetAsync("/v1/recipients/ann")).StatusCode);
    }

    [Fact]
    public async Task On_kestrel_dot_segments_are_refused_and_oversized_bodies_are_413()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        await using var kestrel = new ServiceFactory<api::Program>(fixture.Settings);
        kestrel.UseKestrel(0);
        kestrel.StartServer();
        var api = kestrel.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tenant.ApiKey);

        foreach (var segment in new[] { "..", "%2e%2e", "%2E%2E", "." })
        {
            var response = await api.SendAsync(new HttpRequestMessage(HttpMethod.Delete, RawUri(api.BaseAddress!, $"/v1/recipients/ann/devices/{segment}")));
            await response.AssertValidationAsync("deviceId");
        }

        var alsoRecipient = await api.SendAsync(new HttpRequestMessage(HttpMethod.Delete, RawUri(api.BaseAddress!, "/v1/recipients/ann/devices/../../ann")));
        await alsoRecipient.AssertValidationAsync("path");
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/v1/recipients/ann")).StatusCode);

        // A NUL in the path never reaches the app: the server refuses the request line.
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/v1/recipients/a%00b")).StatusCode);

        var sized = await api.PostAsync("/v1/events", Json(BigEvent(2 * 1024 * 1024)));
        await sized.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "COMMS_REQUEST_TOO_LARGE");
        var chunked = await api.PostAsync("/v1/events", Chunked(BigEvent(2 * 1024 * 1024)));
        await chunked.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "COMMS_REQUEST_TOO_LARGE");
    }

    private static Uri RawUri(Uri baseAddress, string pathAndQuery) =>
        new(baseAddress.GetLeftPart(UriPartial.Authority) + pathAndQuery, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

    private static string BigEvent(int bytes) =>
        $$$"""{"name":"test.welcome","recipients":["ann"],"causeRef":"big","payload":{"name":"{{{new string('x', bytes)}}}"}}""";

    /// <summary>Events due tomorrow, so that they stay out of the routers' way during the test run.</summary>
    private static string BulkOf(int count, int payloadBytes) =>
        "{\"events\":[" + string.Join(",", Enumerable.Range(0, count).Select(i =>
            $$$"""{"name":"test.welcome","recipients":["ann"],"causeRef":"bulk:{{{i}}}","sendAt":"{{{DateTimeOffset.UtcNow.AddDays(1):O}}}","payload":{"name":"{{{new string('n', payloadBytes)}}}"}}""")) + "]}";

    /// <summary>A body without Content-Length (sent chunked).</summary>
    private static HttpContent Chunked(string json)
    {
        var content = new StreamContent(new UnseekableStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
