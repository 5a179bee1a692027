extern alias api;

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
