using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Messages;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Recipients;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Comms.IntegrationTests.Feedback;

/// <summary>
/// Every attempt through a provider is recorded (<c>message_attempts</c>) with the message's state change: the provider,
/// the outcome, the provider's status code and a safe summary, its message id. <c>GET /v1/messages/{id}</c> shows them as
/// <c>attemptHistory</c> with the message's <c>provider</c>, and the delivery log filters by provider.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class MessageAttemptsTests(CommsFixture fixture) : IDisposable
{
    private readonly WireMockServer _hook = WireMockServer.Start();

    public void Dispose() => _hook.Stop();

    [Fact]
    public async Task A_message_failing_once_then_sent_shows_both_attempts_with_their_outcomes_and_provider()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        await tenant.AddTemplateAsync("order.flaky", Channel.Webhook, new TemplateContent { Json = """{"orderId":"{{ order_id }}"}""" });
        await tenant.SetRuleAsync("order.flaky", new { templateName = "order.flaky", category = "account", channels = new[] { Channel.Webhook } });
        _hook.Given(Request.Create().WithPath("/hook").UsingPost()).InScenario("flaky").WillSetStateTo("recovered")
            .RespondWith(Response.Create().WithStatusCode(503));
        _hook.Given(Request.Create().WithPath("/hook").UsingPost()).InScenario("flaky").WhenStateIs("recovered")
            .RespondWith(Response.Create().WithStatusCode(200));
        (await tenant.ApiClient().PostAsJsonAsync("/v1/webhook-endpoints", new { url = $"http://127.0.0.1:{_hook.Port}/hook", eventTypes = new[] { "order.flaky" } }))
            .EnsureSuccessStatusCode();

        var eventId = await tenant.PostEventAsync(new { name = "order.flaky", recipients = new[] { "alice" }, causeRef = "order:F-1", payload = new { order_id = "F-1" } });
        var sent = await FeedbackTestSupport.MessageAsync(fixture, eventId, Channel.Webhook, MessageStatus.Sent);

        var shown = await tenant.ApiClient().GetFromJsonAsync<JsonElement>($"/v1/messages/{sent.Id}");
        Assert.Equal("webhook", shown.GetProperty("provider").GetString());
        Assert.Equal(2, shown.GetProperty("attempts").GetInt32());
        var attempts = shown.GetProperty("attemptHistory").EnumerateArray().ToList();
        Assert.Equal(
            [(1, "webhook", "transient", 503, "503 ServiceUnavailable"), (2, "webhook", "sent", 200, "200 OK")],
            attempts.Select(a => (a.GetProperty("attempt").GetInt32(), a.GetProperty("provider").GetString(), a.GetProperty("outcome").GetString(),
                a.GetProperty("statusCode").GetInt32(), a.GetProperty("response").GetString())));
        Assert.Equal(JsonValueKind.Null, attempts[0].GetProperty("providerMessageId").ValueKind);
        Assert.Equal("msg_" + sent.Id.ToString("N"), attempts[1].GetProperty("providerMessageId").GetString());
        Assert.All(attempts, a => Assert.True(a.GetProperty("finishedAt").GetDateTimeOffset() >= a.GetProperty("startedAt").GetDateTimeOffset()));
        Assert.True(attempts[1].GetProperty("startedAt").GetDateTimeOffset() >= attempts[0].GetProperty("finishedAt").GetDateTimeOffset());

        // The list shows the provider, not the history.
        var item = Assert.Single((await tenant.ApiClient().GetFromJsonAsync<JsonElement>("/v1/messages?provider=webhook")).GetProperty("items").EnumerateArray());
        Assert.Equal(sent.Id, item.GetProperty("id").GetGuid());
        Assert.Equal(JsonValueKind.Null, item.GetProperty("attemptHistory").ValueKind);
    }

    [Fact]
    public async Task The_delivery_log_filters_by_provider_and_an_attempt_holds_no_address()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "bob");
        var eventId = await tenant.PostEventAsync(new { name = TestTenant.WelcomeEvent, recipients = new[] { "bob" }, causeRef = "welcome:bob", payload = new { name = "Bob" } });
        var email = await FeedbackTestSupport.MessageAsync(fixture, eventId, Channel.Email, MessageStatus.Sent);
        var inApp = await FeedbackTestSupport.MessageAsync(fixture, eventId, Channel.InApp, MessageStatus.Sent);
        var api = tenant.ApiClient();

        async Task<List<Guid>> ListAsync(string provider) =>
            (await api.GetFromJsonAsync<JsonElement>($"/v1/messages?provider={provider}")).GetProperty("items").EnumerateArray()
                .Select(i => i.GetProperty("id").GetGuid()).ToList();
        Assert.Equal([email.Id], await ListAsync("smtp"));
        Assert.Equal([inApp.Id], await ListAsync("inapp"));
        Assert.Empty(await ListAsync("sendgrid"));
        await (await api.GetAsync("/v1/messages?provider=pigeon")).AssertValidationAsync("provider");

        var shown = await api.GetFromJsonAsync<JsonElement>($"/v1/messages/{email.Id}");
        Assert.Equal("smtp", shown.GetProperty("provider").GetString());
        var attempt = Assert.Single(shown.GetProperty("attemptHistory").EnumerateArray());
        Assert.Equal(("smtp", "sent", "accepted"), (attempt.GetProperty("provider").GetString(), attempt.GetProperty("outcome").GetString(), attempt.GetProperty("response").GetString()));
        Assert.Equal(email.ProviderMessageId, attempt.GetProperty("providerMessageId").GetString());
        Assert.Equal("inapp", Assert.Single((await api.GetFromJsonAsync<JsonElement>($"/v1/messages/{inApp.Id}")).GetProperty("attemptHistory").EnumerateArray())
            .GetProperty("provider").GetString());

        // No personal data in an attempt row: nothing for an erasure to find there.
        await using var command = fixture.DataSource.CreateCommand(
            "SELECT count(*) FROM message_attempts t WHERE t.tenant_id = @tenant AND (t::text ILIKE @address OR t::text ILIKE '%bob%')");
        command.Parameters.AddWithValue("tenant", tenant.Id);
        command.Parameters.AddWithValue("address", "%" + email.Address + "%");
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
    }
}
