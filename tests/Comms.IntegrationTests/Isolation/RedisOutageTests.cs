extern alias dispatcher;

using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Threading.Channels;
using Comms.Core.Inbox;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Comms.IntegrationTests.Isolation;

/// <summary>
/// Redis holds nothing that cannot be lost: while it is frozen (SIGSTOP) intake, the notification center and
/// sending keep working (wake-ups fall back to the poll, dedupe fails open and counts it, live pushes are dropped
/// and counted), <c>/alive</c> stays healthy while <c>/health</c> says Degraded; after a kill and a restart
/// everything recovers by itself and live pushes resume.
/// </summary>
[Collection(OutageCollection.Name)]
public sealed class RedisOutageTests(CommsFixture fixture)
{
    [Fact]
    public async Task With_redis_frozen_then_killed_intake_inbox_and_sending_keep_working_and_everything_recovers()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        await tenant.SetRuleAsync("deduped", new
        {
            templateName = TestTenant.WelcomeEvent, category = "account", channels = new[] { "in_app" },
            dedupe = new { key = "once:{{ name }}", windowSeconds = 60 },
        });
        // Without Redis no wake-up arrives: this replica's poll finds the work.
        await using var polling = fixture.StartDispatcher(new Dictionary<string, string?> { ["Comms:Dispatcher:PollInterval"] = "00:00:01" });
        var user = tenant.UserClient("ann");
        var api = fixture.Api.CreateClient();
        using var dedupeFailedOpen = new CounterProbe("comms.dedupe.failed_open");

        fixture.Redis.Pause();
        try
        {
            // Intake: 202, and the event is routed and delivered (in-app and email).
            var id = await tenant.PostEventAsync(new { name = TestTenant.WelcomeEvent, recipients = new[] { "ann" }, causeRef = "frozen:1", payload = new { name = "Ann" } });
            var item = await Poll.UntilAsync(async () =>
                (await user.GetFromJsonAsync<InboxPage>("/me/notifications"))!.Items.FirstOrDefault(), "the in-app item", OutageCollection.Deadline);
            await fixture.Mailbox.WaitForOneToAsync(tenant.EmailOf("ann"), OutageCollection.Deadline);
            Assert.Contains(await tenant.DecisionsAsync(id), d => d.Channel == "email" && d.Outcome == "queued");

            // The notification center: list, count, mark read (the live push after the commit cannot fail it).
            var counts = await user.GetFromJsonAsync<UnreadCounts>("/me/notifications/count");
            Assert.Equal((1, 1), (counts!.Unread, counts.Unseen));
            var read = await user.PostAsync($"/me/notifications/{item.Id}/read", null);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            counts = await read.Content.ReadFromJsonAsync<UnreadCounts>();
            Assert.Equal((0, 0), (counts!.Unread, counts.Unseen));
            Assert.Equal(HttpStatusCode.OK, (await user.PostAsync("/me/notifications/read-all", null)).StatusCode);

            // Dedupe cannot ask Redis: the event is let through, and that is counted.
            var deduped = await tenant.PostEventAsync(new { name = "deduped", recipients = new[] { "ann" }, causeRef = "frozen:2", payload = new { name = "Ann" } });
            Assert.Contains(await tenant.DecisionsAsync(deduped), d => d.Channel == "in_app" && d.Outcome == "queued");
            Assert.True(dedupeFailedOpen.Total >= 1, "the dedupe fail-open was not counted");

            // Alive, but degraded.
            Assert.Equal("Healthy", await api.GetStringAsync("/alive"));
            Assert.Equal("Degraded", await api.GetStringAsync("/health"));
        }
        finally
        {
            fixture.Redis.Resume();
        }

        // Killed and started again (empty: Redis keeps nothing): every service reconnects by itself.
        fixture.Redis.Kill();
        await fixture.Redis.StartAsync();
        await Poll.UntilAsync(async () => await api.GetStringAsync("/health") == "Healthy", "/health to be healthy again", OutageCollection.Deadline);

        // Live pushes resume: an event posted now reaches the user's open connection through the backplane.
        var pushed = Channel.CreateUnbounded<InboxItemView>();
        await using var hub = new HubConnectionBuilder()
            .WithUrl($"{fixture.Web.BaseUrl}/hubs/notifications", o => o.AccessTokenProvider = () => Task.FromResult<string?>(tenant.UserToken("ann")))
            .Build();
        hub.On<InboxItemView>("notificationReceived", item => pushed.Writer.TryWrite(item));
        await hub.StartAsync();
        var n = 0;
        await Poll.UntilAsync(async () =>
        {
            await tenant.PostEventAsync(new { name = TestTenant.WelcomeEvent, recipients = new[] { "ann" }, causeRef = $"back:{++n}", payload = new { name = "Ann" } });
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                return (await pushed.Reader.ReadAsync(wait.Token)).Title == "Welcome, Ann!";
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }, "a live push after Redis came back", OutageCollection.Deadline);
    }

    [Fact]
    public async Task A_dispatcher_started_while_redis_is_down_starts_and_answers_wake_ups_once_redis_is_back()
    {
        const string channel = "late-test";
        var tenant = await TestTenant.CreateAsync(fixture, "lou");
        var calls = new System.Collections.Concurrent.ConcurrentDictionary<Guid, int>();
        fixture.Redis.Kill();
        Infrastructure.ServiceFactory<dispatcher::Program> late;
        try
        {
            // Starting does not wait for Redis (subscriptions are made when it connects) and does not fail.
            late = new SlowSender(channel, TimeSpan.Zero, calls).StartDispatcher(fixture, new Dictionary<string, string?>());
        }
        finally
        {
            await fixture.Redis.StartAsync();
        }

        await using var _ = late;
        var id = (await DirectQueue.QueueAsync(fixture, tenant, channel, [("lou", new Core.Messages.RenderedContent { Text = "hi" })])).Single();
        // The replica's poll is a minute: only a wake-up, through the subscription made after Redis came back, sends it in time.
        await Poll.UntilAsync(async () =>
        {
            try
            {
                await DirectQueue.WakeAsync(fixture, channel);
            }
            catch (StackExchange.Redis.RedisException)
            {
                // The test's own client is reconnecting too.
            }

            return calls.ContainsKey(id);
        }, "the message sent after a wake-up", OutageCollection.Deadline);
    }

    /// <summary>Sums a counter of the Comms meter, whatever in-process service records it.</summary>
    private sealed class CounterProbe : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        public CounterProbe(string name)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }
}
