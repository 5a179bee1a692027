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
}

/// <summary>
/// Runs the registered <see cref="IWarmUpStep"/>s when the service starts; until they are done, <c>/health</c>
/// says "warming up" (unhealthy), so an orchestrator sends no traffic before the service is warm. A step that
/// fails is logged and skipped: warming up is an optimisation, never a reason not to start.
/// <c>Comms:WarmUp:Enabled</c> = false skips it (tests that start many short-lived hosts).
/// </summary>
public static partial class WarmUpExtensions
{
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
                foreach (var step in steps)
                {
                    var watch = Stopwatch.StartNew();
                    try
                    {
                        await step.RunAsync(stoppingToken);
                        LogStep(logger, step.Name, watch.ElapsedMilliseconds);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        LogStepFailed(logger, step.Name, ex.Message);
                    }
                }

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
