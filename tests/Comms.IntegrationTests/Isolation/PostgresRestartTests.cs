using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Isolation;

/// <summary>
/// While PostgreSQL is away the services answer 503 problem details (<c>COMMS_UNAVAILABLE</c>, with
/// <c>Retry-After</c>) instead of 500s; when it is back they reconnect by themselves, and every event accepted
/// before the restart is delivered.
/// </summary>
[Collection(OutageCollection.Name)]
public sealed class PostgresRestartTests(CommsFixture fixture)
{
    [Fact]
    public async Task While_postgres_is_stopped_the_api_answers_503_and_after_its_restart_everything_accepted_before_is_delivered()
    {
        var users = new[] { "pia", "pat", "pol" };
        var tenant = await TestTenant.CreateAsync(fixture, users);
        await tenant.SetRuleAsync("inbox.only", new { templateName = TestTenant.WelcomeEvent, category = "account", channels = new[] { "in_app" } });
        // A replica with a short poll and error pause, as any replica after an outage.
        await using var polling = fixture.StartDispatcher(new Dictionary<string, string?> { ["Comms:Dispatcher:PollInterval"] = "00:00:01" });
        var api = tenant.ApiClient();
        var user = tenant.UserClient("pia");
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/me/notifications")).StatusCode); // the user's keys are cached

        // Accepted (202) and still waiting to be routed when the database goes away.
        var sendAt = DateTimeOffset.UtcNow.AddSeconds(3);
        var accepted = new List<Guid>();
        foreach (var name in users)
        {
            accepted.Add(await tenant.PostEventAsync(new { name = "inbox.only", recipients = new[] { name }, causeRef = "before:" + name, sendAt, payload = new { name } }));
        }

        await fixture.Postgres.StopAsync();
        try
        {
            await AssertUnavailableAsync(await api.PostAsJsonAsync("/v1/events",
                new { name = "inbox.only", recipients = new[] { "pia" }, causeRef = "during:1", payload = new { name = "Pia" } }));
            await AssertUnavailableAsync(await user.GetAsync("/me/notifications"));
            await AssertUnavailableAsync(await tenant.ApiClient("cms_unknown_key_never_cached").GetAsync("/v1/routing-rules"));
        }
        finally
        {
            await fixture.Postgres.StartAsync();
        }

        // The services reconnect by themselves: intake answers 202 again.
        var after = await Poll.UntilAsync(async () =>
        {
            var response = await api.PostAsJsonAsync("/v1/events",
                new { name = "inbox.only", recipients = new[] { "pia" }, causeRef = "after:1", payload = new { name = "Pia" } });
            return response.StatusCode == HttpStatusCode.Accepted
                ? (Guid?)JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid()
                : null;
        }, "intake to accept events again", OutageCollection.Deadline);

        // Nothing accepted before the restart is lost: every event is routed and delivered to the inbox.
        accepted.Add(after!.Value);
        fixture.DataSource.Clear(); // the test's own pooled connections died with the server
        await using var db = fixture.CreateDbContext();
        await Poll.UntilAsync(async () => await db.InboxItems.CountAsync(i => i.EventId != null && accepted.Contains(i.EventId.Value)) == accepted.Count,
            "every accepted event delivered", OutageCollection.Deadline);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/me/notifications")).StatusCode);
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("COMMS_UNAVAILABLE", JsonDocument.Parse(body).RootElement.GetProperty("type").GetString());
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
    }
}
