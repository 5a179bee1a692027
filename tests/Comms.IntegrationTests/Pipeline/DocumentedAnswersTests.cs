using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Pipeline;

/// <summary>
/// The OpenAPI document lists every status the API really answers, each problem with its COMMS_* code in the
/// response description. Nothing here is a hand-kept list of statuses: the API's answers are recorded as they happen
/// (<see cref="AnswerLog"/>, for every API host of the test run) and checked against the served document. This test
/// provokes each error path of every operation itself, so it does not depend on which other tests ran before it;
/// the fixture checks the whole run's answers again when it ends.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class DocumentedAnswersTests(CommsFixture fixture)
{
    private enum As { Admin, Reader, Approver, User, Ghost, Sys, Nobody }

    [Fact]
    public async Task Every_answer_the_api_gives_is_documented_with_its_problem_code()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var reader = await tenant.AddApiKeyAsync("reader");
        var approver = await tenant.AddApiKeyAsync("approver", "editor", "approver");
        var api = fixture.Api.CreateClient();
        var failures = new List<string>();

        async Task Expect(int status, As who, string method, string path, string? body = null, string contentType = "application/json",
            string? idempotencyKey = null)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, contentType);
            }

            if (idempotencyKey is not null)
            {
                request.Headers.Add("Idempotency-Key", idempotencyKey);
            }

            var credential = who switch
            {
                As.Admin => tenant.ApiKey,
                As.Reader => reader,
                As.Approver => approver,
                As.User => tenant.UserToken("alice"),
                As.Ghost => tenant.UserToken("nobody-" + Guid.NewGuid().ToString("N")[..6]),
                As.Sys => CommsFixture.SysKey,
                _ => null,
            };
            if (credential is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
            }

            using var response = await api.SendAsync(request);
            if ((int)response.StatusCode != status)
            {
                failures.Add($"{method} {path}: expected {status}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        const string events = "/v1/events";
        var welcome = $$$"""{"name":"{{{TestTenant.WelcomeEvent}}}","recipients":["alice"],"causeRef":"c1","payload":{"name":"A"}}""";
        await Expect(401, As.Nobody, "POST", events, welcome);
        await Expect(400, As.Admin, "POST", events, "{}");
        await Expect(415, As.Admin, "POST", events, welcome, "text/plain");
        await Expect(413, As.Admin, "POST", events, $$$"""{"name":"x","payload":{"big":"{{{new string('x', 1_100_000)}}}"}}""");
        await Expect(422, As.Admin, "POST", events, """{"name":"no.such.event","recipients":["alice"],"causeRef":"c"}""");
        await Expect(422, As.Admin, "POST", events, $$"""{"name":"{{TestTenant.WelcomeEvent}}","recipients":["alice"],"causeRef":"c"}""");
        await Expect(422, As.Admin, "POST", events, $$$"""{"name":"{{{TestTenant.WelcomeEvent}}}","recipients":["alice"],"causeRef":"c","category":"nope","payload":{"name":"A"}}""");
        await Expect(422, As.Admin, "POST", events, $$$"""{"name":"{{{TestTenant.WelcomeEvent}}}","recipients":["alice"],"causeRef":"c","payload":{"name":7}}""");
        await Expect(202, As.Admin, "POST", events, welcome, idempotencyKey: "documented-answers");
        await Expect(202, As.Admin, "POST", events, welcome, idempotencyKey: "documented-answers");
        await Expect(422, As.Admin, "POST", events, welcome.Replace("c1", "c2", StringComparison.Ordinal), idempotencyKey: "documented-answers");
        await Expect(400, As.Admin, "POST", events + "/bulk", """{"events":[]}""");
        await Expect(422, As.Admin, "POST", events + "/bulk", """{"events":[{"name":"no.such.event","recipients":["alice"],"causeRef":"c"}]}""");
        await Expect(404, As.Admin, "GET", $"{events}/{Guid.NewGuid()}");
        await Expect(400, As.Admin, "GET", $"{events}/{Guid.NewGuid()}?limit=0");

        await Expect(400, As.Admin, "GET", "/v1/recipients?limit=0");
        await Expect(400, As.Admin, "POST", "/v1/recipients", "{}");
        await Expect(403, As.Reader, "POST", "/v1/recipients", """{"externalId":"zed"}""");
        await Expect(404, As.Admin, "GET", "/v1/recipients/nobody");
        await Expect(400, As.Admin, "PUT", "/v1/recipients/zed", """{"email":"not an address"}""");
        await Expect(404, As.Admin, "DELETE", "/v1/recipients/nobody");
        await Expect(404, As.Admin, "PUT", "/v1/recipients/nobody/devices", """{"provider":"fcm","token":"t"}""");
        await Expect(400, As.Admin, "PUT", "/v1/recipients/alice/devices", """{"provider":"carrier-pigeon","token":"t"}""");
        await Expect(404, As.Admin, "GET", "/v1/recipients/nobody/devices");
        await Expect(404, As.Admin, "DELETE", $"/v1/recipients/alice/devices/{Guid.NewGuid()}");
        await Expect(404, As.Admin, "GET", "/v1/recipients/nobody/preferences");
        var locked = """{"preferences":[{"category":"security","channel":"email","enabled":false}]}""";
        var unlocked = """{"preferences":[{"category":"promotions","channel":"email","enabled":false}]}""";
        await Expect(404, As.Admin, "PUT", "/v1/recipients/nobody/preferences", unlocked);
        await Expect(422, As.Admin, "PUT", "/v1/recipients/alice/preferences", locked);
        await Expect(400, As.Admin, "PUT", "/v1/recipients/alice/preferences", """{"preferences":[{"category":"account","channel":"fax","enabled":false}]}""");
        await Expect(400, As.Admin, "GET", "/v1/recipients/alice/decisions?limit=0");

        await Expect(400, As.Admin, "POST", "/v1/api-keys", "{}");
        await Expect(403, As.Reader, "GET", "/v1/api-keys");
        await Expect(404, As.Admin, "GET", $"/v1/api-keys/{Guid.NewGuid()}");
        await Expect(404, As.Admin, "DELETE", $"/v1/api-keys/{Guid.NewGuid()}");
        var keys = await ApiKeysAsync(tenant);
        await Expect(409, As.Admin, "DELETE", $"/v1/api-keys/{keys.Single(k => k.Roles.Contains("admin")).Id}");

        await Expect(400, As.Admin, "POST", "/v1/signing-keys", """{"algorithm":"none"}""");
        await Expect(409, As.Admin, "POST", "/v1/signing-keys", $$"""{"algorithm":"HS256","kid":"{{TestTenant.SigningKeyId}}"}""");
        await Expect(404, As.Admin, "GET", "/v1/signing-keys/no-such-kid");
        await Expect(404, As.Admin, "DELETE", "/v1/signing-keys/no-such-kid");

        await Expect(409, As.Admin, "PUT", "/v1/categories/account", "{}");
        await Expect(400, As.Admin, "PUT", "/v1/categories/orders", """{"defaultChannels":["fax"]}""");
        await Expect(201, As.Admin, "PUT", "/v1/categories/orders", """{"description":"Orders"}""");
        await Expect(404, As.Admin, "DELETE", "/v1/categories/no-such-category");
        await Expect(409, As.Admin, "DELETE", "/v1/categories/account");
        await Expect(201, As.Admin, "PUT", "/v1/routing-rules/order.placed",
            $$"""{"templateName":"{{TestTenant.WelcomeEvent}}","category":"orders","channels":["email"]}""");
        await Expect(409, As.Admin, "DELETE", "/v1/categories/orders");

        const string draft = "/v1/templates/docs.check/email/en-US/draft";
        const string version = "/v1/templates/docs.check/email/en-US/versions/1";
        var schema = ""","variablesSchema":{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}""";
        await Expect(404, As.Admin, "GET", "/v1/templates/docs.check");
        await Expect(404, As.Admin, "GET", draft);
        await Expect(400, As.Admin, "GET", "/v1/templates/docs.check/fax/en-US/draft");
        await Expect(400, As.Admin, "PUT", draft, """{"content":{"text":"no subject"}}""");
        await Expect(422, As.Admin, "PUT", draft, """{"content":{"subject":"{{ broken","text":"x"}}""");
        await Expect(422, As.Admin, "PUT", draft, """{"category":"nope","content":{"subject":"s","text":"x"}}""");
        await Expect(404, As.Admin, "DELETE", draft);
        await Expect(404, As.Admin, "POST", draft + "/preview", "{}");
        await Expect(404, As.Admin, "POST", "/v1/templates/docs.check/email/en-US/publish");
        await Expect(201, As.Admin, "PUT", draft, """{"content":{"subject":"Hi {{ name }}","text":"Hello {{ name }}"}""" + schema + "}");
        await Expect(422, As.Admin, "POST", draft + "/preview", "{}");
        await Expect(422, As.Admin, "POST", draft + "/preview", """{"payload":{"name":5}}""");
        await Expect(400, As.Admin, "POST", draft + "/preview", """{"payload":{"name":"A"},"variant":"nope"}""");
        await Expect(409, As.Approver, "POST", "/v1/templates/docs.check/email/en-US/reject");
        await Expect(403, As.Admin, "POST", "/v1/templates/docs.check/email/en-US/approve");
        await Expect(409, As.Approver, "POST", "/v1/templates/docs.check/email/en-US/approve");
        await Expect(404, As.Approver, "POST", "/v1/templates/no.template/email/en-US/reject");
        await Expect(201, As.Admin, "POST", "/v1/templates/docs.check/email/en-US/publish");
        await Expect(422, As.Admin, "POST", version + "/preview", "{}");
        await Expect(404, As.Admin, "POST", "/v1/templates/docs.check/email/en-US/versions/9/preview", "{}");
        await Expect(404, As.Admin, "GET", "/v1/templates/docs.check/email/en-US/versions/9");
        await Expect(409, As.Admin, "PUT", version, "{}");
        await Expect(409, As.Admin, "PATCH", version, "{}");
        await Expect(409, As.Admin, "DELETE", version);
        await Expect(404, As.Admin, "DELETE", "/v1/templates/docs.check/email/en-US/versions/9");
        // A critical template waits for a second key: publishing it again is 409, approving it with the key that submitted it 403.
        const string critical = "/v1/templates/docs.alert/email/en-US";
        await Expect(201, As.Approver, "PUT", critical + "/draft", """{"category":"security","content":{"subject":"Alert","text":"Sign-in"}}""");
        await Expect(202, As.Approver, "POST", critical + "/publish");
        await Expect(409, As.Approver, "POST", critical + "/publish");
        await Expect(403, As.Approver, "POST", critical + "/approve");

        await Expect(404, As.Admin, "GET", "/v1/routing-rules/no.such.event");
        await Expect(400, As.Admin, "PUT", "/v1/routing-rules/x.y", "{}");
        await Expect(422, As.Admin, "PUT", "/v1/routing-rules/x.y", $$"""{"templateName":"{{TestTenant.WelcomeEvent}}","category":"nope","channels":["email"]}""");
        await Expect(422, As.Admin, "PUT", "/v1/routing-rules/x.y", """{"templateName":"no.template","category":"account","channels":["email"]}""");
        await Expect(422, As.Admin, "PUT", "/v1/routing-rules/x.y", $$"""{"templateName":"{{TestTenant.WelcomeEvent}}","category":"account","channels":["sms"]}""");
        await Expect(403, As.Reader, "DELETE", "/v1/routing-rules/order.placed");
        await Expect(404, As.Admin, "DELETE", "/v1/routing-rules/no.such.event");

        await Expect(401, As.Nobody, "GET", "/me/notifications");
        await Expect(400, As.User, "GET", "/me/notifications?limit=0");
        await Expect(400, As.User, "GET", "/me/notifications?status=maybe");
        await Expect(404, As.User, "POST", $"/me/notifications/{Guid.NewGuid()}/read");
        await Expect(404, As.User, "POST", $"/me/notifications/{Guid.NewGuid()}/unread");
        foreach (var path in new[] { "/me/notifications/preferences", "/me/communications" })
        {
            await Expect(404, As.Ghost, "GET", path);
            await Expect(404, As.Ghost, "PUT", path, unlocked);
            await Expect(422, As.User, "PUT", path, locked);
            await Expect(400, As.User, "PUT", path, """{"timeZone":"Mars/Olympus"}""");
            await Expect(415, As.User, "PUT", path, locked, "text/plain");
        }

        await Expect(401, As.Admin, "GET", "/sys/tenants");
        await Expect(400, As.Sys, "POST", "/sys/tenants", "{}");
        await Expect(409, As.Sys, "POST", "/sys/tenants", $$"""{"id":"{{tenant.Id}}","name":"Again"}""");
        await Expect(400, As.Sys, "GET", "/sys/tenants?limit=0");
        await Expect(404, As.Sys, "GET", "/sys/tenants/no-such-tenant");
        await Expect(404, As.Sys, "PATCH", "/sys/tenants/no-such-tenant", """{"name":"X"}""");
        await Expect(400, As.Sys, "PATCH", $"/sys/tenants/{tenant.Id}", """{"defaultTimeZone":"Mars/Olympus"}""");

        Assert.True(failures.Count == 0, "Unexpected answers:\n" + string.Join("\n", failures));

        var document = await api.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var undocumented = AnswerLog.Undocumented(document, AnswerLog.All);
        Assert.True(undocumented.Count == 0, "Answers the OpenAPI document does not declare:\n" + string.Join("\n", undocumented));
    }

    private static async Task<List<(Guid Id, string[] Roles)>> ApiKeysAsync(TestTenant tenant)
    {
        var keys = await tenant.ApiClient().GetFromJsonAsync<JsonElement>("/v1/api-keys");
        return keys.EnumerateArray()
            .Select(k => (k.GetProperty("id").GetGuid(), k.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray()))
            .ToList();
    }
}
