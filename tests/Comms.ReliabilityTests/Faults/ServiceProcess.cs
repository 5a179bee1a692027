using System.Collections.Concurrent;
using System.Diagnostics;
using Comms.TestServers;

namespace Comms.ReliabilityTests.Faults;

/// <summary>
/// A Comms service run as a real process (<c>dotnet Comms.Api.dll</c>), configured through environment variables
/// the way an orchestrator would, so that the fault suite can <c>kill -9</c> it and start it again.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly ConcurrentQueue<string> _output = new();
    private readonly string _dll;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private Process? _process;

    /// <param name="service">The project, e.g. <c>Comms.Dispatcher</c>.</param>
    /// <param name="name">This replica's name (its lease owner is the name and the start count, e.g. <c>dispatcher-a-3</c>).</param>
    public ServiceProcess(string service, string name, int port, IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        Port = port;
        _dll = ServiceDll(service);
        _environment = environment;
    }

    public string Name { get; }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <summary>The value of <c>Comms:Dispatcher:InstanceId</c> of the running process (its name in leases).</summary>
    public string InstanceId { get; private set; } = "";

    public int Starts { get; private set; }

    /// <summary>Starts the process (again, after a kill) without waiting for it to be ready.</summary>
    public void Start()
    {
        Starts++;
        InstanceId = $"{Name}-{Starts}";
        var start = new ProcessStartInfo("dotnet", [_dll])
        {
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["ASPNETCORE_URLS"] = Url.ToString().TrimEnd('/');
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["Comms__Dispatcher__InstanceId"] = InstanceId;
        _process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {_dll}.");
        _process.OutputDataReceived += (_, e) => Remember(e.Data);
        _process.ErrorDataReceived += (_, e) => Remember(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Waits until <c>/alive</c> answers (the process is up; dependencies may still be down).</summary>
    public async Task WaitAliveAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (_process is { HasExited: true } exited)
            {
                throw new InvalidOperationException($"{Name} exited ({exited.ExitCode}). Output:\n{Output}");
            }

            try
            {
                using var response = await Http.GetAsync(new Uri(Url, "/alive"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name} did not answer /alive. Output:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary><c>kill -9</c>: no shutdown, no cleanup, leases left as they were.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(); // SIGKILL on Linux
            process.WaitForExit();
        }
    }

    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term!.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    /// <summary>The last lines the process wrote (for failure messages).</summary>
    public string Output => string.Join('\n', _output);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
    }

    /// <summary>The built service next to this test build: <c>Comms.Api/bin/Debug/net10.0/Comms.Api.dll</c>.</summary>
    private static string ServiceDll(string service)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release"
            : "Debug";
        var dll = MailDevServer.RepositoryFile($"{service}/bin/{configuration}/net10.0/{service}.dll");
        return dll;
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
        {
        }
    }
}
