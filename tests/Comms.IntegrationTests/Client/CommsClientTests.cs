using Comms.Client;
using Comms.Client.Generated.Models;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Client;

/// <summary>
/// A product backend's view of Comms, through the generated client (<c>Comms.Client</c>) and nothing else: the walking
/// skeleton, and templates → routing rule → event → decisions → the end user's inbox. A document that lies about a
/// path, a body or an answer breaks the build (the generated builders) or these tests (the parsed bodies).
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class CommsClientTests(CommsFixture fixture)
{
    [Fact]
    public async Task The_walking_skeleton_through_the_client_reaches_the_mailbox_and_the_decisions()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        using var comms = new CommsClient(fixture.Api.CreateClient(), tenant.ApiKey);

        var accepted = await comms.V1.Events.PostAsync(new EventSubmission
        {
            Name = TestTenant.WelcomeEvent, Recipients = ["alice"], CauseRef = "signup:client", Category = "account",
            Payload = CommsJson.Object(new { name = "Alice" }),
        });

        Assert.NotNull(accepted?.Id);
        Assert.Equal("pending", accepted.Status);
        var email = await fixture.Mailbox.WaitForOneToAsync(tenant.EmailOf("alice"));
        Assert.Equal("Welcome, Alice", email.Subject);
        var routed = await RoutedAsync(comms, accepted.Id.Value);
        Assert.Equal([("email", "queued"), ("in_app", "queued")], routed.Decisions!.Select(d => (d.Channel, d.Outcome)).Order().ToList());
    }

    [Fact]
    public async Task Templates_a_routing_rule_an_event_its_decisions_and_the_users_inbox_all_through_the_client()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var transport = new LoseFirstIntakeAnswer();
        using var comms = new CommsClient(fixture.Api.CreateDefaultClient(transport), tenant.ApiKey,
            new CommsClientOptions { BaseDelay = TimeSpan.FromMilliseconds(20) });
        var schema = CommsJson.Object(new { type = "object", required = new[] { "order" }, properties = new { order = new { type = "string" } } });

        // Templates: a draft per channel, published.
        var entry = comms.V1.Templates["order.shipped"];
        await entry["email"]["en-US"].Draft.PutAsync(new TemplateDraftRequest
        {
            Category = "account", VariablesSchema = schema,
            Content = new TemplateContent { Subject = "Order {{ order }} has shipped", Text = "Your order {{ order }} is on its way." },
        });
        await entry["in_app"]["en-US"].Draft.PutAsync(new TemplateDraftRequest
        {
            Category = "account", VariablesSchema = schema, Content = new TemplateContent { Title = "Order {{ order }} shipped", Body = "On its way." },
        });
        var published = await entry["email"]["en-US"].Publish.PostAsync();
        await entry["in_app"]["en-US"].Publish.PostAsync();
        Assert.True(published?.Published);
        Assert.Equal(1, published!.Version);
        Assert.Equal("published", published.Template?.Status);

        // The routing rule.
        var rule = await comms.V1.RoutingRules["order.shipped"].PutAsync(new RoutingRuleRequest
        {
            TemplateName = "order.shipped", Category = "account", Channels = ["in_app", "email"],
        });
        Assert.Equal(["in_app", "email"], rule?.Channels);

        // The event: the first answer is lost on the way back, the client retries with the same Idempotency-Key.
        var accepted = await comms.V1.Events.PostAsync(new EventSubmission
        {
            Name = "order.shipped", Recipients = ["alice"], CauseRef = "order:42", Payload = CommsJson.Object(new { order = "42" }),
        });
        Assert.Equal(2, transport.Keys.Count);
        Assert.Single(transport.Keys.Distinct());
        Assert.False(string.IsNullOrEmpty(transport.Keys[0]));
        await using (var db = fixture.CreateDbContext())
        {
            var stored = await db.Events.Where(e => e.TenantId == tenant.Id && e.CauseRef == "order:42").Select(e => e.Id).ToListAsync();
            Assert.Equal([accepted!.Id!.Value], stored);
        }

        // Its decisions.
        var routed = await RoutedAsync(comms, accepted.Id.Value);
        Assert.Equal([("alice", "email", "queued"), ("alice", "in_app", "queued")],
            routed.Decisions!.Select(d => (d.Recipient, d.Channel, d.Outcome)).Order().ToList());
        var log = await comms.V1.Recipients["alice"].Decisions.GetAsync();
        Assert.Equal(2, log?.Items?.Count(d => d.EventId == accepted.Id));

        // The end user's inbox, with a token the client mints from a signing key made through the API.
        var key = await comms.V1.SigningKeys.PostAsync(new SigningKeyRequest { Algorithm = "HS256", Kid = "client-web" });
        Assert.StartsWith("cmsk_", key?.Secret, StringComparison.Ordinal);
        var token = UserTokens.Create(key!.Kid!, key.Secret!, tenant.Id, "alice", TimeSpan.FromMinutes(15));
        using var alice = comms.ForUser(token);
        var inbox = await Poll.UntilAsync(async () =>
            await alice.Me.Notifications.GetAsync() is { Items.Count: 1 } page ? page : null, "alice's inbox item");
        Assert.Equal("Order 42 shipped", inbox.Items![0].Title);
        Assert.Equal(1, inbox.Unread);
        var counts = await alice.Me.Notifications[inbox.Items[0].Id!.Value].Read.PostAsync();
        Assert.Equal(0, counts?.Unread);
    }

    [Fact]
    public async Task A_refusal_is_a_typed_exception_with_the_problem_type_status_title_detail_and_errors()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        using var comms = new CommsClient(fixture.Api.CreateClient(), tenant.ApiKey);

        var unknown = await Assert.ThrowsAsync<CommsProblemException>(() => comms.V1.Events.PostAsync(new EventSubmission
        {
            Name = "no.such.event", Recipients = ["alice"], CauseRef = "c",
        }));
        var invalid = await Assert.ThrowsAsync<CommsProblemException>(() => comms.V1.Events.PostAsync(new EventSubmission { Recipients = ["alice"] }));
        var missing = await Assert.ThrowsAsync<CommsProblemException>(() => comms.V1.Templates["nothing"]["email"]["en-US"].Draft.GetAsync());
        using var stranger = new CommsClient(fixture.Api.CreateClient(), "cms_not_a_key");
        var unauthorized = await Assert.ThrowsAsync<CommsProblemException>(() => stranger.V1.Categories.GetAsync());

        Assert.Equal(("COMMS_UNKNOWN_EVENT", 422, "name"), (unknown.Type, unknown.Status, unknown.Field));
        Assert.Equal("Unknown event name.", unknown.Title);
        Assert.Contains("no.such.event", unknown.Detail, StringComparison.Ordinal);
        Assert.Equal(422, unknown.ResponseStatusCode);
        Assert.Equal(("COMMS_VALIDATION", 400), (invalid.Type, invalid.Status));
        Assert.Contains("name", invalid.Errors.Keys);
        Assert.Contains("causeRef", invalid.Errors.Keys);
        Assert.Equal(("COMMS_NOT_FOUND", 404), (missing.Type, missing.Status));
        Assert.Equal(("COMMS_UNAUTHORIZED", 401), (unauthorized.Type, unauthorized.Status));
    }

    private static async Task<EventView> RoutedAsync(CommsClient comms, Guid id) =>
        await Poll.UntilAsync(async () => await comms.V1.Events[id].GetAsync() is { Status: "routed" } view ? view : null, $"event {id} routed");

    /// <summary>Lets the first POST /v1/events reach the API (which stores the event), then loses its answer, as a dropped connection would.</summary>
    private sealed class LoseFirstIntakeAnswer : DelegatingHandler
    {
        private int _lost;

        public List<string?> Keys { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.TrimEnd('/') == "/v1/events")
            {
                Keys.Add(request.Headers.TryGetValues("Idempotency-Key", out var values) ? values.Single() : null);
                if (Interlocked.Exchange(ref _lost, 1) == 0)
                {
                    response.Dispose();
                    throw new HttpRequestException("The connection was reset (simulated).");
                }
            }

            return response;
        }
    }
}
