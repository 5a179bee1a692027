using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Pipeline;

/// <summary>Event → dispatcher → email in the mail catcher and an item in the user's inbox.</summary>
[Collection(CommsCollection.Name)]
public sealed class WalkingSkeletonTests(CommsFixture fixture)
{
    private static object Welcome(string user, string name, string cause) => new
    {
        name = TestTenant.WelcomeEvent,
        recipients = new[] { user },
        causeRef = cause,
        category = "account",
        payload = new { name },
    };

    [Fact]
    public async Task An_event_reaches_the_mailbox_and_the_inbox()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");

        var response = await tenant.ApiClient().PostAsJsonAsync("/v1/events", Welcome("alice", "Alice", "signup:1"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        var eventId = accepted.GetProperty("id").GetGuid();
        Assert.Equal($"/v1/events/{eventId}", response.Headers.Location?.OriginalString);

        var email = await fixture.Mailbox.WaitForOneToAsync(tenant.EmailOf("alice"));
        Assert.Equal("Welcome, Alice", email.Subject);
        Assert.Contains("Hello Alice!", email.Text, StringComparison.Ordinal);
        Assert.Contains("<p>Hello Alice!</p>", email.Html, StringComparison.Ordinal);
        Assert.Equal(TestTenant.WelcomeEvent, email.Header("x-template-name"));
        Assert.Equal("1", email.Header("x-template-version"));

        var inbox = (await Poll.UntilAsync(async () =>
        {
            var page = await tenant.UserClient("alice").GetFromJsonAsync<JsonElement>("/me/notifications");
            return page.GetProperty("items").GetArrayLength() == 1 ? (JsonElement?)page : null;
        }, "alice's inbox item"))!.Value;
        var item = inbox.GetProperty("items")[0];
        Assert.Equal("Welcome, Alice!", item.GetProperty("title").GetString());
        Assert.Equal("<p>Hello <strong>Alice</strong>.</p>", item.GetProperty("bodyHtml").GetString());
        Assert.Equal(1, inbox.GetProperty("unread").GetInt32());

        var details = await tenant.ApiClient().GetFromJsonAsync<JsonElement>($"/v1/events/{eventId}");
        Assert.Equal("routed", details.GetProperty("status").GetString());
        var decisions = details.GetProperty("decisions").EnumerateArray()
            .Select(d => (d.GetProperty("channel").GetString(), d.GetProperty("outcome").GetString())).Order().ToList();
        Assert.Equal([("email", "queued"), ("in_app", "queued")], decisions);
    }

    [Fact]
    public async Task Another_users_token_never_sees_the_items()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice", "bob");
        var other = await TestTenant.CreateAsync(fixture, "alice");
        await tenant.ApiClient().PostAsJsonAsync("/v1/events", Welcome("alice", "Alice", "signup:2"));
        await fixture.Mailbox.WaitForOneToAsync(tenant.EmailOf("alice"));
        await Poll.UntilAsync(async () =>
            (await tenant.UserClient("alice").GetFromJsonAsync<JsonElement>("/me/notifications")).GetProperty("items").GetArrayLength() == 1,
            "alice's item");

        var bob = await tenant.UserClient("bob").GetFromJsonAsync<JsonElement>("/me/notifications");
        var otherTenantsAlice = await other.UserClient("alice").GetFromJsonAsync<JsonElement>("/me/notifications");

        Assert.Equal(0, bob.GetProperty("items").GetArrayLength());
        Assert.Equal(0, otherTenantsAlice.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Without_a_token_the_inbox_answers_401_problem_details()
    {
        var response = await fixture.Api.CreateClient().GetAsync("/me/notifications");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("COMMS_UNAUTHORIZED", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_forged_user_token_is_refused()
    {
        var client = fixture.Api.CreateClient();
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var forged = Comms.Core.Auth.UserTokens.IssueHs256(
            new string('z', 48), TestTenant.SigningKeyId, tenant.Id, "alice", TimeSpan.FromHours(1), TimeProvider.System);
        client.DefaultRequestHeaders.Authorization = new("Bearer", forged);

        var response = await client.GetAsync("/me/notifications");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_api_key_gets_401_and_nothing_is_stored()
    {
        var client = fixture.Api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "cms_unknown_key");

        var response = await client.PostAsJsonAsync("/v1/events", Welcome("alice", "Alice", "x"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("not valid", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"test.welcome","recipients":"alice","causeRef":"c"}""", "$.recipients")]
    [InlineData("""{"name":"test.welcome","recipients":["alice"]}""", "causeRef")]
    [InlineData("""{"recipients":["alice"],"causeRef":"c"}""", "name")]
    [InlineData("""{"name":"test.welcome","recipients":["alice"],"causeRef":"c","payload":[1]}""", "payload")]
    [InlineData("""{"name":"test.welcome","recipients":["alice"],"causeRef":"c","priority":"asap"}""", "priority")]
    [InlineData("""{"name":""", "JSON")]
    public async Task Bad_input_gets_400_naming_the_field_and_nothing_is_stored(string body, string named)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");

        var response = await tenant.ApiClient().PostAsync("/v1/events", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(named, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = fixture.CreateDbContext();
        Assert.False(db.Events.Any(e => e.TenantId == tenant.Id));
    }

    [Fact]
    public async Task A_missing_template_variable_is_422_naming_it()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");

        var response = await tenant.ApiClient().PostAsJsonAsync("/v1/events",
            new { name = TestTenant.WelcomeEvent, recipients = new[] { "alice" }, causeRef = "c", payload = new { } });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("COMMS_TEMPLATE_MISSING_VAR", problem.GetProperty("type").GetString());
        Assert.Contains("'name'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_payload_is_400_naming_the_limit_and_an_unknown_category_is_422()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");

        var big = await tenant.ApiClient().PostAsJsonAsync("/v1/events",
            new { name = TestTenant.WelcomeEvent, recipients = new[] { "alice" }, causeRef = "c", payload = new { name = new string('x', 70_000) } });
        var unknown = await tenant.ApiClient().PostAsJsonAsync("/v1/events",
            new { name = TestTenant.WelcomeEvent, recipients = new[] { "alice" }, causeRef = "c", category = "gossip", payload = new { name = "A" } });

        Assert.Equal(HttpStatusCode.BadRequest, big.StatusCode);
        Assert.Contains("65536", (await big.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("payload")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Assert.Equal("COMMS_UNKNOWN_CATEGORY", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        await using var db = fixture.CreateDbContext();
        Assert.False(db.Events.Any(e => e.TenantId == tenant.Id));
    }

    [Fact]
    public async Task An_unknown_event_name_is_422()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");

        var response = await tenant.ApiClient().PostAsJsonAsync("/v1/events",
            new { name = "no.such.event", recipients = new[] { "alice" }, causeRef = "c" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("COMMS_UNKNOWN_EVENT", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
    }
}
