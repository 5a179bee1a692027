using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// One piece of a service's hot path run once at start (EF Core's model and first queries, template rendering,
/// the JIT of the request path), so that the first real request is as fast as the tenth. A step must have no
/// visible effect.
/// </summary>
public interface IWarmUpStep
{
    string Name { get; }

    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Whether the tier-up rounds run the step again (see <see cref="WarmUpExtensions"/>); the precompile step does not.</summary>
    bool Repeats => true;

    /// <summary>The step once more, in a tier-up round (after <see cref="RunAsync"/>): by default the same again.</summary>
    Task RepeatAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken);
}

/// <summary>
/// Runs the registered <see cref="IWarmUpStep"/>s when the service starts; until they are done, <c>/health</c>
/// says "warming up" (unhealthy), so an orchestrator sends no traffic before the service is warm. A step that
/// fails is logged and skipped: warming up is an optimisation, never a reason not to start.
/// <c>Comms:WarmUp:Enabled</c> = false skips it (tests that start many short-lived hosts).
/// <para>
/// Then the <b>tier-up rounds</b>: the runtime's tiered JIT first compiles a method quickly and unoptimized, and compiles it
/// again, optimized, once it was called 30 times (twice over with dynamic PGO) — on a background thread that, after a
/// start, takes hundreds of milliseconds of CPU at each of the first real events (measured with <c>perf</c>: 55 % of the
/// dispatcher's CPU in the JIT around each of the first three events), on the cores the event itself needs, and the first
/// events run the slow code meanwhile. So the steps that can run again (<see cref="IWarmUpStep.Repeats"/>) are run again,
/// round after round, and after every <see cref="RoundsPerCheck"/> rounds the runner waits until the JIT has compiled
/// nothing for a moment (<see cref="System.Runtime.JitInfo"/>); it stops when a batch of rounds compiled fewer than
/// <see cref="QuietMethods"/> methods, or after <c>Comms:WarmUp:TierUpRounds</c> rounds (default 200; 0 skips them)
/// or <c>Comms:WarmUp:TierUpSeconds</c> (default 30).
/// </para>
/// </summary>
public static partial class WarmUpExtensions
{
    /// <summary>Rounds between two waits for the JIT to be quiet.</summary>
    public const int RoundsPerCheck = 10;

    /// <summary>A batch of rounds that compiled fewer methods than this ends the tier-up: the hot paths are optimized.</summary>
    public const int QuietMethods = 10;

    public static TBuilder AddWarmUp<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton<WarmUpState>();
        builder.Services.AddHostedService<WarmUpService>();
        builder.Services.AddHealthChecks().AddCheck<WarmUpHealthCheck>("warm-up", tags: ["ready"]);
        // First, so that every later step and the first request find the service's own code compiled.
        builder.Services.AddSingleton<Comms.ServiceDefaults.PrecompileWarmUp>();
        builder.Services.AddWarmUpStep(provider => provider.GetRequiredService<Comms.ServiceDefaults.PrecompileWarmUp>());
        return builder;
    }

    public static IServiceCollection AddWarmUpStep<TStep>(this IServiceCollection services) where TStep : class, IWarmUpStep =>
        services.AddSingleton<IWarmUpStep, TStep>();

    public static IServiceCollection AddWarmUpStep(this IServiceCollection services, Func<IServiceProvider, IWarmUpStep> factory) =>
        services.AddSingleton(factory);

    internal sealed class WarmUpState
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsDone => _done.Task.IsCompleted;

        public void MarkDone() => _done.TrySetResult();
    }

    private sealed partial class WarmUpService(
        IEnumerable<IWarmUpStep> steps, WarmUpState state, IConfiguration configuration, ILogger<WarmUpService> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                if (!configuration.GetValue("Comms:WarmUp:Enabled", true))
                {
                    return;
                }

                var total = Stopwatch.StartNew();
                var repeating = new List<IWarmUpStep>();
                foreach (var step in steps)
                {
                    var watch = Stopwatch.StartNew();
                    try
                    {
                        await step.RunAsync(stoppingToken);
                        LogStep(logger, step.Name, watch.ElapsedMilliseconds);
                        if (step.Repeats)
                        {
                            repeating.Add(step);
                        }
                    }
                    catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                    {
                        // A step's own timeout or a library's cancellation (SignalR's publish to a frozen Redis) is the
                        // step's failure, not the service's: only a stop of the host ends the warm-up.
                        LogStepFailed(logger, step.Name, ex.Message);
                    }
                }

                await TierUpAsync(repeating, stoppingToken);

                // The warm-up's garbage (the call graph's reflection objects, the rehearsals' buffers) is collected now,
                // compacted and its memory given back, before the service reports healthy: else the first requests' GC
                // pays for it with a long pause. (Comms:WarmUp:Collect = false skips it: the tests host many services in one
                // process, whose every start would stop them all for a full collection of the whole process.)
                if (configuration.GetValue("Comms:WarmUp:Collect", true))
                {
                    System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                }

                LogDone(logger, total.ElapsedMilliseconds);
            }
            finally
            {
                state.MarkDone();
            }
        }

        /// <summary>The tier-up rounds (see <see cref="WarmUpExtensions"/>); a step that fails in a round is left out of the next.</summary>
        private async Task TierUpAsync(List<IWarmUpStep> repeating, CancellationToken cancellationToken)
        {
            var maxRounds = configuration.GetValue("Comms:WarmUp:TierUpRounds", 200);
            var budget = Stopwatch.StartNew();
            var limit = TimeSpan.FromSeconds(configuration.GetValue("Comms:WarmUp:TierUpSeconds", 30.0));
            var round = 0;
            var compiledBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
            while (round < maxRounds && repeating.Count > 0 && budget.Elapsed < limit)
            {
                round++;
                foreach (var step in repeating.ToList())
                {
                    try
                    {
                        await step.RepeatAsync(cancellationToken);
                    }
                    catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                    {
                        LogStepFailed(logger, step.Name, ex.Message);
                        repeating.Remove(step);
                    }
                }

                if (round % RoundsPerCheck == 0 || round == maxRounds)
                {
                    await JitQuietAsync(budget, limit, cancellationToken);
                    var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
                    LogRounds(logger, round, compiled - compiledBefore, budget.ElapsedMilliseconds);
                    if (compiled - compiledBefore < QuietMethods)
                    {
                        break;
                    }

                    compiledBefore = compiled;
                }
            }
        }

        /// <summary>Waits until the JIT compiled nothing for 200 ms (the tiering's background queue has drained), within the budget.</summary>
        private static async Task JitQuietAsync(Stopwatch budget, TimeSpan limit, CancellationToken cancellationToken)
        {
            var last = System.Runtime.JitInfo.GetCompiledMethodCount();
            var quietSince = Stopwatch.StartNew();
            while (quietSince.Elapsed < TimeSpan.FromMilliseconds(200) && budget.Elapsed < limit)
            {
                await Task.Delay(25, cancellationToken);
                var now = System.Runtime.JitInfo.GetCompiledMethodCount();
                if (now != last)
                {
                    last = now;
                    quietSince.Restart();
                }
            }
        }

        [LoggerMessage(4, LogLevel.Debug, "Warm-up tier-up: {Rounds} rounds, the last batch compiled {Methods} methods ({Milliseconds} ms so far).")]
        private static partial void LogRounds(ILogger logger, int rounds, long methods, long milliseconds);

        [LoggerMessage(1, LogLevel.Debug, "Warm-up step '{Step}' took {Milliseconds} ms.")]
        private static partial void LogStep(ILogger logger, string step, long milliseconds);

        [LoggerMessage(2, LogLevel.Warning, "Warm-up step '{Step}' failed ({Problem}); skipped.")]
        private static partial void LogStepFailed(ILogger logger, string step, string problem);

        [LoggerMessage(3, LogLevel.Information, "Warmed up in {Milliseconds} ms.")]
        private static partial void LogDone(ILogger logger, long milliseconds);
    }

    private sealed class WarmUpHealthCheck(WarmUpState state) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(state.IsDone ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Warming up."));
    }
}
