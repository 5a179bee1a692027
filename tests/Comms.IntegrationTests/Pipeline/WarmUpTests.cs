extern alias api;
extern alias dispatcher;

using System.Net;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Comms.IntegrationTests.Pipeline;

/// <summary>
/// A service warms its hot paths before it reports healthy: until every warm-up step ran, <c>/health</c> is
/// unhealthy (an orchestrator sends it no traffic) while <c>/alive</c> says the process is fine.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class WarmUpTests(CommsFixture fixture)
{
    [Fact]
    public async Task Health_waits_for_the_warm_up_while_alive_does_not()
    {
        var step = new GatedStep();
        await using var service = new ServiceFactory<api::Program>(fixture.Settings, services => services.AddWarmUpStep(_ => step));
        using var http = service.CreateClient();

        await step.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/alive")).StatusCode);

        step.Release.SetResult();
        await Poll.UntilAsync(async () => (await http.GetAsync("/health")).StatusCode == HttpStatusCode.OK, "/health after the warm-up");

        // The intake step wrote an event and its idempotency record all the way through, and rolled them back.
        await using var db = fixture.CreateDbContext();
        Assert.False(await db.Events.AnyAsync(e => e.TenantId == "~warm-up"));
        Assert.False(await db.IdempotencyRecords.AnyAsync(k => k.TenantId == "~warm-up"));
    }

    [Fact]
    public async Task A_step_that_fails_with_a_cancellation_of_its_own_is_skipped_and_the_service_still_gets_healthy()
    {
        // SignalR's publish to a frozen Redis ends in a TaskCanceledException that is not the host's stop: it once took a
        // dispatcher down (BackgroundService failed, host stopped) in the outage test.
        var after = new CountingStep(repeats: false);
        await using var service = new ServiceFactory<api::Program>(fixture.Settings, services =>
        {
            services.AddWarmUpStep(_ => new ThrowingStep(new TaskCanceledException("a library's own timeout")));
            services.AddWarmUpStep(_ => after);
        });
        using var http = service.CreateClient();

        await Poll.UntilAsync(async () => (await http.GetAsync("/health")).StatusCode == HttpStatusCode.OK, "/health after the warm-up");
        Assert.Equal(1, after.Runs);
    }

    [Fact]
    public async Task The_tier_up_rounds_repeat_the_steps_that_repeat_before_health()
    {
        var repeating = new CountingStep(repeats: true);
        var once = new CountingStep(repeats: false);
        var settings = fixture.Settings.Where(s => s.Key != "Comms:WarmUp:TierUpRounds")
            .Append(new("Comms:WarmUp:TierUpRounds", "3")).ToDictionary(s => s.Key, s => s.Value);
        await using var service = new ServiceFactory<api::Program>(settings, services =>
        {
            services.AddWarmUpStep(_ => repeating);
            services.AddWarmUpStep(_ => once);
        });
        using var http = service.CreateClient();

        await Poll.UntilAsync(async () => (await http.GetAsync("/health")).StatusCode == HttpStatusCode.OK, "/health after the warm-up");

        Assert.Equal((1, 3), (repeating.Runs, repeating.Repeated)); // three rounds
        Assert.Equal((1, 0), (once.Runs, once.Repeated));
    }

    [Fact]
    public async Task The_dispatchers_routing_rehearsal_runs_to_the_end_and_keeps_nothing()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice"); // at least one tenant with a rule and a recipient
        var rehearsal = fixture.Dispatcher.Services.GetRequiredService<Comms.Core.Routing.RoutingRehearsal>();

        var delivered = await rehearsal.RunAsync(CancellationToken.None); // throws if any statement fails
        Assert.True(delivered > 0, "the rehearsal's locked batch delivered no in-app message inline, as the routing loops do");

        await using var db = fixture.CreateDbContext();
        Assert.False(await db.Messages.AnyAsync(m => m.CauseRef == "warm-up" || m.TenantId == "~warm-up"));
        Assert.False(await db.Decisions.AnyAsync(d => d.RecipientExternalId == "warm-up"));
        Assert.False(await db.Events.AnyAsync(e => e.CauseRef == "warm-up"));
        Assert.False(await db.InboxItems.AnyAsync(i => i.TenantId == "~warm-up"));
        Assert.NotNull(tenant);
    }

    [Fact]
    public async Task The_api_key_rehearsal_reads_a_key_that_exists_and_caches_nothing()
    {
        await TestTenant.CreateAsync(fixture, "alice"); // at least one key
        // A store of its own over the API's database: the API's shared one also caches the keys (and misses) of whatever
        // else calls the API meanwhile, which made a count of its entries flaky (1 instead of 0, once in five runs).
        using var keys = new Comms.Core.Tenancy.ApiKeyStore(
            fixture.Api.Services.GetRequiredService<IDbContextFactory<Comms.Core.Data.CommsDbContext>>(), TimeProvider.System);

        Assert.True(await keys.WarmUpAsync(CancellationToken.None), "the rehearsal found no key: it ran only the empty answer's path");
        Assert.Equal(0, keys.CachedCount); // nothing cached: a key revoked meanwhile is not let in by the warm-up
    }

    [Fact]
    public async Task The_intake_write_rehearsal_runs_to_the_end_and_keeps_nothing()
    {
        var intake = fixture.Api.Services.GetRequiredService<Comms.Core.Events.EventIntake>();
        var now = DateTimeOffset.UtcNow;
        var ev = new Comms.Core.Events.EventRecord
        {
            Id = Guid.CreateVersion7(), TenantId = "~warm-up", Name = "warm.up", Category = "account", CauseRef = "warm-up",
            Payload = "{}", Recipients = ["someone"], DueAt = now, CreatedAt = now,
        };

        await intake.WarmUpAsync([ev], CancellationToken.None); // throws if any statement fails

        await using var db = fixture.CreateDbContext();
        Assert.False(await db.Events.AnyAsync(e => e.Id == ev.Id));
        Assert.False(await db.IdempotencyRecords.AnyAsync(k => k.TenantId == "~warm-up"));
    }

    [Fact]
    public async Task The_smtp_rehearsal_runs_a_whole_transaction_against_a_script_and_sends_nothing()
    {
        var sender = fixture.Dispatcher.Services.GetRequiredService<dispatcher::Comms.Dispatcher.Email.SmtpEmailSender>();
        await sender.WarmUpAsync(CancellationToken.None); // the dispatcher's step: a pooled connection, then the rehearsal

        using var message = new MimeKit.MimeMessage(
            [MimeKit.MailboxAddress.Parse("comms@example.test")], [MimeKit.MailboxAddress.Parse("warm-up@example.invalid")],
            "Warm", new MimeKit.TextPart("plain") { Text = "Warm up" });
        var commands = await dispatcher::Comms.Dispatcher.Email.SmtpRehearsal.RunAsync(message, CancellationToken.None);

        Assert.Equal(["EHLO", "MAIL", "RCPT", "DATA", "NOOP", "QUIT"], commands);
        Assert.Empty(await fixture.Mailbox.ToAsync("warm-up@example.invalid"));
    }

    [Fact]
    public async Task The_pubsub_warm_up_receives_its_own_message_on_a_channel_no_service_listens_to()
    {
        var wakeUps = new List<string>();
        var listening = await fixture.RedisClient.GetSubscriber().SubscribeAsync(Comms.Core.Queueing.WakeUps.Channel);
        listening.OnMessage(message => wakeUps.Add(message.Message.ToString()));
        var step = new Comms.ServiceDefaults.RedisPubSubWarmUp(fixture.RedisClient);

        await step.RunAsync(CancellationToken.None);

        Assert.True(step.Received);
        await listening.UnsubscribeAsync();
        Assert.DoesNotContain("warm-up", wakeUps); // no dispatcher was woken by it
    }

    [Fact]
    public async Task The_breaker_warm_up_leaves_no_breaker_behind()
    {
        var guards = fixture.Dispatcher.Services.GetRequiredService<dispatcher::Comms.Dispatcher.Throttling.ProviderGuards>();

        await guards.WarmUpAsync(CancellationToken.None);

        Assert.DoesNotContain(guards.Breakers, b => b.Provider == "~warm-up");
    }

    private sealed class ThrowingStep(Exception exception) : IWarmUpStep
    {
        public string Name => "throwing";

        public Task RunAsync(CancellationToken cancellationToken) => Task.FromException(exception);
    }

    private sealed class CountingStep(bool repeats) : IWarmUpStep
    {
        public int Runs { get; private set; }

        public int Repeated { get; private set; }

        public string Name => "counting";

        public bool Repeats => repeats;

        public Task RunAsync(CancellationToken cancellationToken)
        {
            Runs++;
            return Task.CompletedTask;
        }

        public Task RepeatAsync(CancellationToken cancellationToken)
        {
            Repeated++;
            return Task.CompletedTask;
        }
    }

    private sealed class GatedStep : IWarmUpStep
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "gated";

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            Started.SetResult();
            await Release.Task.WaitAsync(cancellationToken);
        }
    }
}
