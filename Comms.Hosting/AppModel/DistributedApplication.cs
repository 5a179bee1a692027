using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Comms.Hosting;

/// <summary>
/// The built application: <see cref="RunAsync"/> for an app host program (Ctrl+C / SIGTERM stop it), or
/// <see cref="StartAsync"/> + <see cref="StopAsync"/> / DisposeAsync to drive it from tests.
/// </summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly AppHostEnvironment _host;
    private readonly Orchestrator _orchestrator;
    private readonly bool _ownsLoggerFactory;

    internal DistributedApplication(AppHostEnvironment host, bool ownsLoggerFactory)
    {
        _host = host;
        _ownsLoggerFactory = ownsLoggerFactory;
        _orchestrator = new Orchestrator(host);
    }

    public IReadOnlyList<Resource> Resources => _host.Resources;

    public static DistributedApplicationBuilder CreateBuilder(string[] args) =>
        new(new DistributedApplicationOptions { Args = args });

    public static DistributedApplicationBuilder CreateBuilder(DistributedApplicationOptions options) =>
        new(options ?? throw new ArgumentNullException(nameof(options)));

    /// <summary>
    /// Starts all resources (honouring WaitFor / WaitForCompletion) and prints a summary.
    /// On failure everything already started is stopped again and a <see cref="DistributedApplicationException"/> is thrown.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _orchestrator.StartAsync(cancellationToken);
        PrintSummary();
    }

    /// <summary>Stops every started resource in reverse start order (idempotent).</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _orchestrator.StopAsync().WaitAsync(cancellationToken);

    /// <summary>
    /// Starts the application and runs until Ctrl+C / SIGTERM / SIGHUP (or <paramref name="cancellationToken"/>), then
    /// stops everything. A startup failure is reported and sets the process exit code to 1.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var signals = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }
            .Select(signal => PosixSignalRegistration.Create(signal, context => OnSignal(context, stop)))
            .ToList();
        try
        {
            try
            {
                await StartAsync(stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (DistributedApplicationException)
            {
                Environment.ExitCode = 1; // already reported by the orchestrator
                return;
            }

            _host.Output.WriteLine($"{_host.Options.ApplicationName} is running. Press Ctrl+C to stop.");
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }

            await StopAsync(CancellationToken.None);
        }
        finally
        {
            signals.ForEach(registration => registration.Dispose());
        }
    }

    /// <summary>Endpoint of a resource, e.g. <c>GetEndpoint("api")</c> or <c>GetEndpoint("mail", "smtp")</c>.</summary>
    public Uri GetEndpoint(string resourceName, string endpointName = "http") =>
        _orchestrator.GetRun(resourceName).Resource.GetEndpoint(endpointName)
        ?? throw new InvalidOperationException($"Resource '{resourceName}' has no '{endpointName}' endpoint (or it is not resolved yet).");

    /// <summary>Connection string of a resource (as injected into referencing projects).</summary>
    public string GetConnectionString(string resourceName) =>
        (_orchestrator.GetRun(resourceName).Resource as IResourceWithConnectionString
            ?? throw new InvalidOperationException($"Resource '{resourceName}' has no connection string."))
        .ConnectionString
        ?? throw new InvalidOperationException($"The connection string of '{resourceName}' is not resolved yet (call StartAsync first).");

    /// <summary>Waits until the resource's process exits (e.g. a migrator) and returns its exit code.</summary>
    public Task<int> WaitForCompletionAsync(string resourceName, CancellationToken cancellationToken = default) =>
        _orchestrator.GetRun(resourceName).Completed.Task.WaitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _orchestrator.StopAsync();
        if (_ownsLoggerFactory)
        {
            _host.LoggerFactory.Dispose();
        }
    }

    private void OnSignal(PosixSignalContext context, CancellationTokenSource stop)
    {
        if (stop.IsCancellationRequested)
        {
            // Second signal: kill every child now, then let the default action terminate the host.
            ChildProcess.KillAllLive();
            context.Cancel = false;
            return;
        }

        context.Cancel = true;
        HostingLog.SignalReceived(_orchestrator.Logger, context.Signal.ToString());
        stop.Cancel();
    }

    private void PrintSummary()
    {
        var width = _host.Resources.Select(r => r.Name.Length).DefaultIfEmpty(0).Max() + 2;
        HostingLog.Summary(_orchestrator.Logger, "resources:");
        foreach (var resource in _host.Resources)
        {
            var description = resource.SkipReason ?? resource.Describe();
            HostingLog.Summary(_orchestrator.Logger, $"  {resource.Name.PadRight(width)}{description}");
        }
    }
}
