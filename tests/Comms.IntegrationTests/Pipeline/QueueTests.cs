using System.Net.Http.Json;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Pipeline;

/// <summary>The messages table as a queue shared by several dispatcher replicas.</summary>
[Collection(CommsCollection.Name)]
public sealed class QueueTests(CommsFixture fixture)
{
    [Fact]
    public async Task Two_dispatchers_never_send_the_same_message()
    {
        var users = Enumerable.Range(0, 60).Select(i => $"user{i}").ToArray();
        var tenant = await TestTenant.CreateAsync(fixture, users);
        await using var second = fixture.StartDispatcher(new Dictionary<string, string?> { ["Comms:Dispatcher:MessageBatchSize"] = "5" });

        var client = tenant.ApiClient();
        var posts = users.Chunk(10).Select((chunk, i) => client.PostAsJsonAsync("/v1/events", new
        {
            name = TestTenant.WelcomeEvent, recipients = chunk, causeRef = $"race:{i}", payload = new { name = "Racer" },
        }));
        await Task.WhenAll(posts);

        await using var db = fixture.CreateDbContext();
        await Poll.UntilAsync(async () =>
            await db.Messages.CountAsync(m => m.TenantId == tenant.Id && m.Status == "sent") == users.Length * 2,
            "every message to be sent", TimeSpan.FromSeconds(60));

        var emails = (await fixture.Mailbox.AllAsync()).Where(e => e.To.Any(t => t.Address.EndsWith($".{tenant.Id}@example.test", StringComparison.Ordinal))).ToList();
        Assert.Equal(users.Length, emails.Count);
        Assert.Equal(users.Length, emails.Select(e => e.To[0].Address).Distinct().Count());
        Assert.Equal(users.Length, await db.InboxItems.CountAsync(i => i.TenantId == tenant.Id));
        Assert.All(await db.Messages.Where(m => m.TenantId == tenant.Id).ToListAsync(), m => Assert.Equal(1, m.Attempts));
    }
}
