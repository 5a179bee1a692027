using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Routing;

/// <summary>The routing rules API and the per-user decision log.</summary>
[Collection(CommsCollection.Name)]
public sealed class RoutingRulesApiTests(CommsFixture fixture)
{
    [Fact]
    public async Task A_rule_round_trips_and_is_used_at_once()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var rule = new
        {
            templateName = TestTenant.WelcomeEvent, category = "account", channels = new[] { "in_app" }, fallbackChannels = new[] { "email" },
            escalation = new { afterMinutes = 60, channel = "email" }, delaySeconds = 0,
            dedupe = new { key = "W:{{ name }}", windowSeconds = 60 },
        };

        var created = await tenant.ApiClient().PutAsJsonAsync("/v1/routing-rules/account.hello", rule);
        var replaced = await tenant.ApiClient().PutAsJsonAsync("/v1/routing-rules/account.hello", rule);
        var fetched = await tenant.ApiClient().GetFromJsonAsync<JsonElement>("/v1/routing-rules/account.hello");
        var list = await tenant.ApiClient().GetFromJsonAsync<JsonElement>("/v1/routing-rules");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal("W:{{ name }}", fetched.GetProperty("dedupe").GetProperty("key").GetString());
        Assert.Equal(60, fetched.GetProperty("escalation").GetProperty("afterMinutes").GetInt32());
        Assert.Equal(["account.hello", TestTenant.WelcomeEvent], list.EnumerateArray().Select(r => r.GetProperty("eventName").GetString()).Order());

        var decisions = await tenant.DecisionsAsync(await tenant.PostEventAsync(
            new { name = "account.hello", recipients = new[] { "ann" }, causeRef = "r:1", payload = new { name = "Ann" } }));
        Assert.Contains(("ann", "in_app", "queued", (string?)null), decisions);
        Assert.Contains(("ann", "email", DecisionOutcome.Escalation, (string?)null), decisions);

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.ApiClient().DeleteAsync("/v1/routing-rules/account.hello")).StatusCode);
        var refused = await tenant.ApiClient().PostAsJsonAsync("/v1/events", new { name = "account.hello", recipients = new[] { "ann" }, causeRef = "r:2" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
    }

    [Theory]
    [InlineData("""{"templateName":"t","category":"account","channels":[]}""", "channels")]
    [InlineData("""{"templateName":"t","category":"account","channels":["fax"]}""", "channels")]
    [InlineData("""{"templateName":"t","category":"account","channels":["email"],"fallbackChannels":["email"]}""", "fallbackChannels")]
    [InlineData("""{"templateName":"t","category":"account","channels":["email"],"escalation":{"afterMinutes":5,"channel":"sms"}}""", "escalation")]
    [InlineData("""{"templateName":"t","category":"account","channels":["email"],"dedupe":{"key":"{{ broken"}}""", "dedupe.key")]
    [InlineData("""{"templateName":"t","category":"account","channels":["email"],"digest":{"key":"k","windowSeconds":0}}""", "digest.windowSeconds")]
    [InlineData("""{"templateName":"bad name","category":"account","channels":["email"]}""", "templateName")]
    [InlineData("""{"templateName":"t","category":"account","channels":["email"],"delaySeconds":-1}""", "delaySeconds")]
    public async Task Bad_rules_get_400_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        var tenant = await TestTenant.CreateAsync(fixture);

        var response = await tenant.ApiClient().PutAsync("/v1/routing-rules/bad.rule", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.ApiClient().GetAsync("/v1/routing-rules/bad.rule")).StatusCode);
    }

    [Fact]
    public async Task An_unknown_category_is_422_and_other_tenants_rules_are_invisible()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var other = await TestTenant.CreateAsync(fixture);

        var unknown = await tenant.ApiClient().PutAsJsonAsync("/v1/routing-rules/x", new { templateName = "t", category = "gossip", channels = new[] { "email" } });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Assert.Equal("COMMS_UNKNOWN_CATEGORY", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        await tenant.AddTemplateAsync("t", Channel.Email, new() { Subject = "Hi", Text = "Hi" });
        await tenant.SetRuleAsync("mine", new { templateName = "t", category = "account", channels = new[] { "email" } });
        Assert.Equal(HttpStatusCode.NotFound, (await other.ApiClient().GetAsync("/v1/routing-rules/mine")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.ApiClient().DeleteAsync("/v1/routing-rules/mine")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tenant.ApiClient().GetAsync("/v1/routing-rules/mine")).StatusCode);
        var otherList = await other.ApiClient().GetFromJsonAsync<JsonElement>("/v1/routing-rules");
        Assert.Equal([TestTenant.WelcomeEvent], otherList.EnumerateArray().Select(r => r.GetProperty("eventName").GetString()));
    }

    [Fact]
    public async Task The_decision_log_is_queryable_per_user_with_reason_filter()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        await tenant.SetRuleAsync("promo", new { templateName = TestTenant.WelcomeEvent, category = "promotions", channels = new[] { "email", "in_app" } });
        var id = await tenant.PostEventAsync(new { name = "promo", recipients = new[] { "ann" }, causeRef = "p:1", payload = new { name = "Ann" } });
        await tenant.DecisionsAsync(id);

        var all = await tenant.ApiClient().GetFromJsonAsync<JsonElement>("/v1/recipients/ann/decisions");
        var blocked = await tenant.ApiClient().GetFromJsonAsync<JsonElement>($"/v1/recipients/ann/decisions?reason={ReasonCodes.PrefBlocked}");
        var otherTenant = await (await TestTenant.CreateAsync(fixture)).ApiClient().GetAsync("/v1/recipients/ann/decisions");

        Assert.Equal(2, all.GetProperty("items").GetArrayLength());
        var item = Assert.Single(blocked.GetProperty("items").EnumerateArray());
        Assert.Equal(("email", "promo", id), (item.GetProperty("channel").GetString(), item.GetProperty("eventName").GetString(), item.GetProperty("eventId").GetGuid()));
        // Another tenant knows no 'ann': 404, as for the recipient itself (not an empty log that confirms nothing).
        Assert.Equal(System.Net.HttpStatusCode.NotFound, otherTenant.StatusCode);
    }

    [Theory]
    [InlineData("""{"templateName":"nothing.here","category":"account","channels":["email"]}""", "templateName")]
    [InlineData("""{"templateName":"half","category":"account","channels":["in_app","email"]}""", "channels[1]")]
    [InlineData("""{"templateName":"half","category":"account","channels":["in_app"],"fallbackChannels":["sms"]}""", "fallbackChannels[0]")]
    [InlineData("""{"templateName":"half","category":"account","channels":["in_app"],"escalation":{"afterMinutes":30,"channel":"email"}}""", "escalation.channel")]
    [InlineData("""{"templateName":"half","category":"account","channels":["in_app"],"digest":{"key":"k","windowSeconds":60,"templateName":"no.digest"}}""", "digest.templateName")]
    public async Task A_rule_naming_a_template_or_a_channel_that_does_not_exist_is_422_naming_the_field(string body, string field)
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        await tenant.AddTemplateAsync("half", Channel.InApp, new() { Title = "Hi", Body = "Hi" });

        var response = await tenant.ApiClient().PutAsync("/v1/routing-rules/half.rule", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("COMMS_UNKNOWN_TEMPLATE", problem.GetProperty("type").GetString());
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.ApiClient().GetAsync("/v1/routing-rules/half.rule")).StatusCode);
    }
}
