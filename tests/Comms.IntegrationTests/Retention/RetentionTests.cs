extern alias dispatcher;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Retention;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;
using Comms.TestServers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RedLockNet;
using RetentionWorker = dispatcher::Comms.Dispatcher.Retention.RetentionWorker;

namespace Comms.IntegrationTests.Retention;

/// <summary>
/// SPEC S11 retention: messages, renders, decisions and inbox items live in month partitions; a month older than every
/// tenant's retention is dropped whole, a tenant with a shorter retention loses its own old rows in batches, one replica at a time.
/// The dispatcher's own worker may run too (a minute after start): the tests check what is left, which is the same either way.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class RetentionTests(CommsFixture fixture)
{
    private static readonly string[] Tables = ["messages", "message_renders", "message_attempts", "decisions", "inbox_items"];

    private RetentionJob Job => fixture.Dispatcher.Services.GetRequiredService<RetentionJob>();

    private HttpClient Sys()
    {
        var client = fixture.Api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", CommsFixture.SysKey);
        return client;
    }

    [Fact]
    public async Task The_delivery_record_tables_are_partitioned_by_month_with_a_default_and_the_next_months_made_ahead()
    {
        var now = DateTimeOffset.UtcNow;
        await Job.EnsurePartitionsAsync(now, 3, CancellationToken.None);

        foreach (var table in Tables)
        {
            Assert.Equal("r", await RetentionRows.ScalarAsync<string>(fixture,
                "SELECT partstrat::text FROM pg_partitioned_table WHERE partrelid = to_regclass(@t)", ("t", table)));
            Assert.Equal("created_at", await RetentionRows.ScalarAsync<string>(fixture, """
                SELECT a.attname::text FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
                 WHERE p.partrelid = to_regclass(@t)
                """, ("t", table)));
            var partitions = new List<string>();
            await using (var command = fixture.DataSource.CreateCommand(
                "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = to_regclass(@t)"))
            {
                command.Parameters.AddWithValue("t", table);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    partitions.Add(reader.GetString(0));
                }
            }

            Assert.Contains($"{table}_default", partitions);
            for (var i = 0; i <= 3; i++)
            {
                Assert.Contains($"{table}_{RetentionRows.Month(now.AddMonths(i))}", partitions);
            }
        }
    }

    [Fact]
    public async Task Rows_written_by_the_pipeline_land_in_the_partition_of_their_month()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        await tenant.AddTemplateAsync("retention.hello", "in_app", new TemplateContent { Title = "Hello" });
        await tenant.SetRuleAsync("retention.hello", new { templateName = "retention.hello", category = "booking", channels = new[] { "in_app" } });

        var eventId = await tenant.PostEventAsync(new { name = "retention.hello", recipients = new[] { "ann" }, causeRef = "hello:1", payload = new { } });
        await tenant.DecisionsAsync(eventId);
        var messageId = await Poll.UntilAsync(async () => await RetentionRows.ScalarAsync<object>(fixture,
            "SELECT COALESCE((SELECT message_id FROM inbox_items WHERE tenant_id = @t LIMIT 1)::text, '')", ("t", tenant.Id)) is string { Length: > 0 } s
            ? s : null, "the in-app item to be delivered");
        var id = Guid.Parse(messageId);

        foreach (var (table, key) in new[]
                 { ("messages", "id"), ("message_renders", "message_id"), ("message_attempts", "message_id"), ("decisions", "message_id"), ("inbox_items", "message_id") })
        {
            var createdAt = await RetentionRows.ScalarAsync<DateTime>(fixture, $"SELECT created_at FROM {table} WHERE {key} = @id LIMIT 1", ("id", id));
            Assert.Equal($"{table}_{RetentionRows.Month(new DateTimeOffset(createdAt, TimeSpan.Zero))}",
                await RetentionRows.PartitionOfAsync(fixture, table, key, id));
        }

        Assert.Equal(1L, await RetentionRows.ScalarAsync<long>(fixture, "SELECT count(*) FROM message_keys WHERE message_id = @id", ("id", id)));
    }

    [Fact]
    public async Task A_month_older_than_every_tenants_retention_is_dropped_whole_and_recent_rows_stay()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var old = DateTimeOffset.UtcNow.AddMonths(-14);
        var month = new DateOnly(old.Year, old.Month, 1);
        var store = fixture.Dispatcher.Services.GetRequiredService<RetentionStore>();
        foreach (var table in Tables)
        {
            await store.EnsurePartitionAsync(table, month, CancellationToken.None);
        }

        var expired = await RetentionRows.AddAsync(fixture, tenant.Id, old);
        var recent = await RetentionRows.AddAsync(fixture, tenant.Id, DateTimeOffset.UtcNow.AddDays(-1));
        Assert.Equal($"messages_{RetentionRows.Month(old)}", await RetentionRows.PartitionOfAsync(fixture, "messages", "id", expired));

        await Job.RunAsync(CancellationToken.None);

        foreach (var table in Tables)
        {
            Assert.False(await ExistsAsync($"{table}_{RetentionRows.Month(old)}"));
            Assert.True(await ExistsAsync($"{table}_{RetentionRows.Month(DateTimeOffset.UtcNow)}"));
        }

        Assert.Equal(RetentionRows.None, await RetentionRows.LeftAsync(fixture, expired));
        Assert.Equal(RetentionRows.All, await RetentionRows.LeftAsync(fixture, recent));
    }

    [Fact]
    public async Task A_month_still_holding_a_queued_message_is_not_dropped()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var old = DateTimeOffset.UtcNow.AddMonths(-16);
        var month = new DateOnly(old.Year, old.Month, 1);
        var store = fixture.Dispatcher.Services.GetRequiredService<RetentionStore>();
        foreach (var table in Tables)
        {
            await store.EnsurePartitionAsync(table, month, CancellationToken.None);
        }

        var queued = await RetentionRows.AddAsync(fixture, tenant.Id, old, status: "queued");

        await Job.RunAsync(CancellationToken.None);

        Assert.True(await ExistsAsync($"messages_{RetentionRows.Month(old)}"));
        Assert.True(await ExistsAsync($"message_renders_{RetentionRows.Month(old)}"));
        Assert.True(await ExistsAsync($"message_attempts_{RetentionRows.Month(old)}"));
        Assert.False(await ExistsAsync($"decisions_{RetentionRows.Month(old)}"));
        Assert.False(await ExistsAsync($"inbox_items_{RetentionRows.Month(old)}"));
        Assert.Equal(RetentionRows.MessageKept, await RetentionRows.LeftAsync(fixture, queued));

        await using (var command = fixture.DataSource.CreateCommand("UPDATE messages SET status = 'sent' WHERE id = @id"))
        {
            command.Parameters.AddWithValue("id", queued);
            await command.ExecuteNonQueryAsync();
        }

        await Job.RunAsync(CancellationToken.None);
        Assert.False(await ExistsAsync($"messages_{RetentionRows.Month(old)}"));
        Assert.False(await ExistsAsync($"message_renders_{RetentionRows.Month(old)}"));
        Assert.Equal(RetentionRows.None, await RetentionRows.LeftAsync(fixture, queued));
    }

    [Fact]
    public async Task A_tenant_with_a_short_retention_loses_only_its_own_old_rows()
    {
        var shortLived = await TestTenant.CreateAsync(fixture);
        var other = await TestTenant.CreateAsync(fixture);
        var patched = await Sys().PatchAsJsonAsync($"/sys/tenants/{shortLived.Id}", new { retentionDays = 30 });
        Assert.Equal(30, (await patched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("retentionDays").GetInt32());

        var now = DateTimeOffset.UtcNow;
        var expired = await RetentionRows.AddAsync(fixture, shortLived.Id, now.AddDays(-40));
        var stillQueued = await RetentionRows.AddAsync(fixture, shortLived.Id, now.AddDays(-40), status: "queued");
        var kept = await RetentionRows.AddAsync(fixture, shortLived.Id, now.AddDays(-20));
        var othersOld = await RetentionRows.AddAsync(fixture, other.Id, now.AddDays(-40));

        await Job.RunAsync(CancellationToken.None);

        Assert.Equal(RetentionRows.None, await RetentionRows.LeftAsync(fixture, expired));
        Assert.Equal(RetentionRows.MessageKept, await RetentionRows.LeftAsync(fixture, stillQueued));
        Assert.Equal(RetentionRows.All, await RetentionRows.LeftAsync(fixture, kept));
        Assert.Equal(RetentionRows.All, await RetentionRows.LeftAsync(fixture, othersOld));
    }

    [Fact]
    public async Task While_one_replica_holds_the_lock_another_does_nothing()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        await Sys().PatchAsJsonAsync($"/sys/tenants/{tenant.Id}", new { retentionDays = 10 });
        var expired = await RetentionRows.AddAsync(fixture, tenant.Id, DateTimeOffset.UtcNow.AddDays(-11));
        var worker = fixture.Dispatcher.Services.GetServices<IHostedService>().OfType<RetentionWorker>().Single();
        var locks = fixture.Dispatcher.Services.GetRequiredService<IDistributedLockFactory>();

        // Another replica's run (the lease may briefly be held by this dispatcher's own timer: wait for it).
        var held = await Poll.UntilAsync(async () =>
        {
            var lease = await locks.CreateLockAsync(RetentionWorker.LockName, TimeSpan.FromMinutes(1));
            if (lease.IsAcquired)
            {
                return lease;
            }

            await lease.DisposeAsync();
            return null;
        }, "the retention lock");
        await using (held)
        {
            var skipped = await Task.WhenAll(worker.RunOnceAsync(CancellationToken.None), worker.RunOnceAsync(CancellationToken.None));
            Assert.All(skipped, Assert.Null);
            Assert.Equal(RetentionRows.All, await RetentionRows.LeftAsync(fixture, expired));
        }

        await Poll.UntilAsync(() => worker.RunOnceAsync(CancellationToken.None), "a run under the lock");
        Assert.Equal(RetentionRows.None, await RetentionRows.LeftAsync(fixture, expired));
    }

    private Task<bool> ExistsAsync(string partition) =>
        RetentionRows.ScalarAsync<bool>(fixture, "SELECT to_regclass(@p) IS NOT NULL", ("p", partition));

    [Fact]
    public async Task The_retention_is_set_per_tenant_and_validated()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var view = await Sys().GetFromJsonAsync<JsonElement>($"/sys/tenants/{tenant.Id}");
        Assert.Equal(JsonValueKind.Null, view.GetProperty("retentionDays").ValueKind);

        foreach (var bad in new[] { -1, 36501 })
        {
            var response = await Sys().PatchAsJsonAsync($"/sys/tenants/{tenant.Id}", new { retentionDays = bad });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("retentionDays", out _));
        }

        var created = await Sys().PostAsJsonAsync("/sys/tenants", new { id = "ret-" + Guid.NewGuid().ToString("N")[..8], name = "R", retentionDays = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);

        var set = await Sys().PatchAsJsonAsync($"/sys/tenants/{tenant.Id}", new { retentionDays = 90 });
        Assert.Equal(90, (await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("retentionDays").GetInt32());
        var reset = await Sys().PatchAsJsonAsync($"/sys/tenants/{tenant.Id}", new { retentionDays = 0 });
        Assert.Equal(JsonValueKind.Null, (await reset.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("retentionDays").ValueKind);
    }
}
