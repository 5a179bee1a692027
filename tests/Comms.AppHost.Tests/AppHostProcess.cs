using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Comms.AppHost.Tests;

/// <summary>
/// The built app host run as <c>./run.sh</c> runs it — its own process, with the dashboard on — on free ports
/// and a throwaway data folder, so that tests can signal and kill it.
/// </summary>
internal sealed class AppHostProcess : IDisposable
{
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Process _process;

    private AppHostProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Remember(e.Data);
        _process.ErrorDataReceived += (_, e) => Remember(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public Process Process => _process;

    public string Output => string.Join('\n', _output.TakeLast(80));

    /// <summary>Starts the app host with <paramref name="arguments"/> and waits for "Comms is running".</summary>
    public static async Task<AppHostProcess> StartAsync(string[] arguments, IReadOnlyDictionary<string, int> dashboardPorts)
    {
        var root = RepositoryRoot();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(root, "Comms.AppHost/bin/Debug/net10.0/Comms.AppHost.dll"), .. arguments])
        {
            WorkingDirectory = Path.Combine(root, "Comms.AppHost"), // as ./run.sh: its content root
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{dashboardPorts["dashboard"]}";
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{dashboardPorts["otlp"]}";
        start.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{dashboardPorts["resources"]}";
        start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        start.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        foreach (var name in new[] { "ConnectionStrings__commsdb", "ConnectionStrings__redis", "ConnectionStrings__mail" })
        {
            start.Environment.Remove(name);
        }

        var host = new AppHostProcess(Process.Start(start)!);
        try
        {
            await host._running.Task.WaitAsync(AppHostFixture.StartDeadline);
        }
        catch (TimeoutException)
        {
            host.Dispose();
            Assert.Fail("The app host did not report that Comms is running:\n" + host.Output);
        }

        return host;
    }

    public static Dictionary<string, int> FreePorts(params string[] names) => names.ToDictionary(n => n, _ =>
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    });

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (line.Contains("Comms is running. Press Ctrl+C to stop.", StringComparison.Ordinal))
        {
            _running.TrySetResult();
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Comms.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Comms.sln not found above " + AppContext.BaseDirectory);
    }
}
