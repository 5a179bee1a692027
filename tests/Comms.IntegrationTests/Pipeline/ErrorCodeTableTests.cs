using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Pipeline;

/// <summary>
/// The README's table of error codes is what the API answers: every documented code is provoked here (or by the
/// named test that needs a setup of its own) and must come back with the documented status and type.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed partial class ErrorCodeTableTests(CommsFixture fixture)
{
    /// <summary>Codes whose provocation needs a world of its own, and the test that provokes and asserts them.</summary>
    private static readonly Dictionary<string, string> CoveredElsewhere = new(StringComparer.Ordinal)
    {
        ["COMMS_RATE_LIMITED"] = "Comms.IntegrationTests.Pipeline.RateLimitTests",
        ["COMMS_UNAVAILABLE"] = "Comms.IntegrationTests.Isolation.PostgresRestartTests",
        ["COMMS_WEBHOOK_TARGET_REFUSED"] = "Comms.IntegrationTests.Webhooks.WebhookEndpointsApiTests",
        ["COMMS_MESSAGE_NOT_RESENDABLE"] = "Comms.IntegrationTests.Feedback.MessagesApiTests",
        ["COMMS_SUPPRESSED"] = "Comms.IntegrationTests.Feedback.SendGridFeedbackTests",
        ["COMMS_CONTEXT_NOT_FOUND"] = "Comms.IntegrationTests.Contexts.ContextsApiTests",
        ["COMMS_MEMBER_NOT_FOUND"] = "Comms.IntegrationTests.Contexts.ContextsApiTests",
        ["COMMS_CONTEXT_STATUS_CONFLICT"] = "Comms.IntegrationTests.Contexts.ContextsApiTests",
        ["COMMS_MESSAGE_NOT_EDITABLE"] = "Comms.IntegrationTests.Contexts.ScheduledMessagesTests",
        ["COMMS_MAIL_NOT_ALLOWED"] = "Comms.IntegrationTests.ContextMail.ContextMailTests",
        ["COMMS_MAIL_NOT_READ"] = "Comms.IntegrationTests.ContextMail.ContextMailTests",
        ["COMMS_INVALID_CREDENTIALS"] = "Comms.IntegrationTests.Auth.OperatorSignInTests",
        ["COMMS_OPERATOR_LOCKED_OUT"] = "Comms.IntegrationTests.Auth.OperatorSignInTests",
        ["COMMS_TOTP_REQUIRED"] = "Comms.IntegrationTests.Auth.OperatorSignInTests",
        ["COMMS_TOTP_INVALID"] = "Comms.IntegrationTests.Auth.OperatorSignInTests",
        ["COMMS_FRESH_AUTH_REQUIRED"] = "Comms.IntegrationTests.Auth.OperatorSignInTests",
        ["COMMS_SysDirectMessageTestSendRequired"] = "Comms.IntegrationTests.Sys.SysDirectMessagesTests",
        ["COMMS_SysBroadcastTestSendRequired"] = "Comms.IntegrationTests.Sys.BroadcastSendTests",
    };

    [GeneratedRegex(@"^\| (?<codes>`COMMS_[A-Za-z_]+`(?: / `COMMS_[A-Za-z_]+`)*) \| (?<status>\d{3}) \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [Fact]
    public async Task Every_documented_error_code_is_answered_with_its_documented_status()
    {
        var documented = TableRow().Matches(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "README.md")))
            .SelectMany(m => m.Groups["codes"].Value.Split(" / ").Select(c => (Code: c.Trim('`'), Status: int.Parse(m.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture))))
            .ToList();
        Assert.True(documented.Count >= 25, $"the README's error table was not found or is short ({documented.Count} codes)");

        var cases = await ProvokeAllAsync();
        var problems = new List<string>();
        foreach (var (code, status) in documented)
        {
            if (CoveredElsewhere.TryGetValue(code, out var testClass))
            {
                if (Type.GetType(testClass + ", Comms.IntegrationTests") is null)
                {
                    problems.Add($"{code}: the test that covers it ({testClass}) does not exist");
                }

                continue;
            }

            if (!cases.TryGetValue(code, out var answer))
            {
                problems.Add($"{code}: documented, but this test does not provoke it");
            }
            else if (answer.Status != status || answer.Type != code)
            {
                problems.Add($"{code}: documented as {status}, the API answered {answer.Status} {answer.Type}");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public async Task Every_decision_reason_code_is_listed_under_the_table()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "README.md"));
        var start = readme.IndexOf("Decisions (`GET /v1/events/{id}`) carry their own reason codes:", StringComparison.Ordinal);
        Assert.True(start >= 0, "the README's list of decision reason codes was not found");
        var listed = readme[start..readme.IndexOf("\n\n", start, StringComparison.Ordinal)];
        var codes = typeof(ReasonCodes).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.Contains(ReasonCodes.SmsNotAllowed, codes);
        Assert.All(codes, code => Assert.Contains($"`{code}`", listed, StringComparison.Ordinal));
    }

    private async Task<Dictionary<string, (int Status, string? Type)>> ProvokeAllAsync()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var api = tenant.ApiClient();
        var reader = tenant.ApiClient(await tenant.AddApiKeyAsync("reader"));
        var submitter = tenant.ApiClient(await tenant.AddApiKeyAsync("submitter", "editor", "approver"));
        var approver = tenant.ApiClient(await tenant.AddApiKeyAsync("approver", "approver"));
        await tenant.AddTemplateAsync("published.one", Channel.InApp, new() { Title = "Hi", Body = "Hi" });
        var answers = new Dictionary<string, (int, string?)>(StringComparer.Ordinal);

        async Task Record(string code, Task<HttpResponseMessage> request)
        {
            var response = await request;
            var type = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString()
                : null;
            answers[code] = ((int)response.StatusCode, type);
        }

        static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
        const string Event = """{"name":"test.welcome","recipients":["ann"],"causeRef":"c:1","payload":{"name":"Ann"}}""";
        const string Schema = """{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}""";

        await Record("COMMS_BAD_REQUEST", api.PostAsync("/v1/events", Json("{")));
        await Record("COMMS_VALIDATION", api.PutAsync("/v1/templates/no.subject/email/en-US/draft", Json("""{"category":"account","content":{"text":"x"}}""")));
        await Record("COMMS_UNAUTHORIZED", fixture.Api.CreateClient().GetAsync("/v1/routing-rules"));
        await Record("COMMS_FORBIDDEN", reader.PutAsync("/v1/categories/orders", Json("""{"description":"x"}""")));
        await Record("COMMS_NOT_FOUND", api.GetAsync("/v1/routing-rules/no.such.rule"));
        await Record("COMMS_RECIPIENT_NOT_FOUND", api.GetAsync("/v1/recipients/nobody"));
        await api.PostAsync("/v1/recipients/ann/erase", null);
        await Record("COMMS_RECIPIENT_ERASED", api.PutAsync("/v1/recipients/ann", Json("""{"name":"Ann again"}""")));
        await Record("COMMS_METHOD_NOT_ALLOWED", api.DeleteAsync("/v1/events"));
        await api.PostAsync("/v1/signing-keys", Json("""{"kid":"twice","algorithm":"HS256"}"""));
        await Record("COMMS_CONFLICT", api.PostAsync("/v1/signing-keys", Json("""{"kid":"twice","algorithm":"HS256"}""")));
        await Record("COMMS_TEMPLATE_IMMUTABLE", api.PutAsync("/v1/templates/published.one/in_app/en-US/versions/1", Json("""{"content":{"title":"x"}}""")));

        const string critical = "/v1/templates/critical.one/email/en-US";
        await submitter.PutAsync(critical + "/draft", Json("""{"category":"security","content":{"subject":"Code","text":"Code"}}"""));
        await Record("COMMS_TEMPLATE_NOT_PENDING", approver.PostAsync(critical + "/approve", null));
        await submitter.PostAsync(critical + "/publish", null);
        await Record("COMMS_TEMPLATE_PENDING_APPROVAL", submitter.PostAsync(critical + "/publish", null));
        await Record("COMMS_APPROVAL_SELF", submitter.PostAsync(critical + "/approve", null));

        var keys = await api.GetFromJsonAsync<JsonElement>("/v1/api-keys");
        var admin = keys.EnumerateArray().Single(k => k.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "admin"));
        await Record("COMMS_LAST_ADMIN_KEY", api.DeleteAsync($"/v1/api-keys/{admin.GetProperty("id").GetGuid()}"));
        await Record("COMMS_CATEGORY_BUILT_IN", api.DeleteAsync("/v1/categories/security"));
        await api.PutAsync("/v1/categories/orders", Json("""{"description":"Orders"}"""));
        await api.PutAsync("/v1/routing-rules/order.shipped", Json("""{"templateName":"published.one","category":"orders","channels":["in_app"]}"""));
        await Record("COMMS_CATEGORY_IN_USE", api.DeleteAsync("/v1/categories/orders"));
        for (var i = 0; i < 20; i++)
        {
            await api.PostAsync("/v1/signing-keys", Json($$"""{"kid":"many-{{i}}","algorithm":"HS256"}"""));
        }

        await Record("COMMS_SIGNING_KEY_LIMIT", api.PostAsync("/v1/signing-keys", Json("""{"kid":"one-too-many","algorithm":"HS256"}""")));
        await Record("COMMS_REQUEST_TOO_LARGE", api.PostAsync("/v1/events", Json("{\"name\":\"test.welcome\",\"payload\":{\"big\":\"" + new string('x', 2 * 1024 * 1024) + "\"}}")));
        await Record("COMMS_UNSUPPORTED_MEDIA_TYPE", api.PostAsync("/v1/events", new StringContent(Event, Encoding.UTF8, "text/plain")));
        await Record("COMMS_UNKNOWN_EVENT", api.PostAsync("/v1/events", Json(Event.Replace("\"test.welcome\"", "\"no.such.event\"", StringComparison.Ordinal))));
        await Record("COMMS_UNKNOWN_CATEGORY", api.PostAsync("/v1/events", Json(Event.Replace("\"causeRef\"", "\"category\":\"gossip\",\"causeRef\"", StringComparison.Ordinal))));
        await Record("COMMS_UNKNOWN_TEMPLATE", api.PutAsync("/v1/routing-rules/no.template", Json("""{"templateName":"missing","category":"account","channels":["email"]}""")));
        await Record("COMMS_TEMPLATE_INVALID", api.PutAsync("/v1/templates/broken/email/en-US/draft", Json("""{"category":"account","content":{"subject":"{{ broken","text":"x"}}""")));

        const string preview = "/v1/templates/with.schema/in_app/en-US/draft";
        await api.PutAsync(preview, Json("{\"category\":\"account\",\"variablesSchema\":" + Schema + ""","content":{"title":"Hi {{ name }}","body":"x","link":"{{ link }}"}}"""));
        await Record("COMMS_TEMPLATE_MISSING_VAR", api.PostAsync(preview + "/preview", Json("""{"payload":{}}""")));
        await Record("COMMS_PAYLOAD_INVALID", api.PostAsync(preview + "/preview", Json("""{"payload":{"name":42}}""")));
        await Record("COMMS_RENDER_INVALID", api.PostAsync(preview + "/preview", Json("""{"payload":{"name":"Ann","link":"javascript:alert(1)"}}""")));
        const string heavy = "/v1/templates/heavy/in_app/en-US/draft";
        await api.PutAsync(heavy, Json("""{"category":"account","content":{"title":"x","body":"{% for i in (1..1000) %}{% for j in (1..1000) %}x{% endfor %}{% endfor %}"}}"""));
        await Record("COMMS_TEMPLATE_RENDER_FAILED", api.PostAsync(heavy + "/preview", Json("""{"payload":{}}""")));

        await Record("COMMS_PREF_LOCKED", api.PutAsync("/v1/recipients/ann/preferences", Json("""{"preferences":[{"category":"security","channel":"email","enabled":false}]}""")));
        using var first = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = Json(Event) };
        first.Headers.Add("Idempotency-Key", "error-table");
        await api.SendAsync(first);
        using var second = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = Json(Event.Replace("c:1", "c:2", StringComparison.Ordinal)) };
        second.Headers.Add("Idempotency-Key", "error-table");
        await Record("COMMS_IDEMPOTENCY_KEY_REUSED", api.SendAsync(second));
        return answers;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Comms.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Comms.sln not found above " + AppContext.BaseDirectory);
    }
}
