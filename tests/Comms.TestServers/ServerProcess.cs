using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Comms.TestServers;

/// <summary>
/// A throwaway server for a test run (PostgreSQL, Redis, MailDev): one child process in the foreground,
/// polled until it answers, which a fault test may pause, kill and start again on the same port.
/// Disposing stops it and deletes its folder.
/// </summary>
public abstract class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    protected ServerProcess(string directory) => Directory = directory;

    /// <summary>The folder this server owns (deleted on dispose).</summary>
    public string Directory { get; }

    public int Pid => _process?.Id ?? throw new InvalidOperationException("The server is not running.");

    /// <summary>Starts the process again after <see cref="StopAsync"/> or <see cref="Kill"/>, on the same port and data.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var (file, arguments) = Command();
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        _process.OutputDataReceived += (_, e) => Remember(e.Data);
        _process.ErrorDataReceived += (_, e) => Remember(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + StartDeadline;
        while (!await IsReadyAsync(cancellationToken))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"{file} did not become ready (exit: {(_process.HasExited ? _process.ExitCode : "still running")}). Output:\n{string.Join('\n', _output)}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Stops the server with its shutdown signal and waits for it (SIGKILL after 30 s).</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        Native.Signal(process.Id, StopSignal);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Kills the server at once, as a crash would (SIGKILL).</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    /// <summary>Freezes the server (SIGSTOP): its port still accepts connections, but nothing answers.</summary>
    public void Pause() => Native.Signal(Pid, Native.SIGSTOP);

    public void Resume() => Native.Signal(Pid, Native.SIGCONT);

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            Resume();
            await StopAsync();
            _process.Dispose();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still held open.
        }

        GC.SuppressFinalize(this);
    }

    protected virtual int StopSignal => Native.SIGTERM;

    protected abstract (string File, IEnumerable<string> Arguments) Command();

    protected abstract Task<bool> IsReadyAsync(CancellationToken cancellationToken);

    protected static string NewDirectory(string prefix)
    {
        // /var/tmp rather than /tmp: some machines mount /tmp without room for a PostgreSQL cluster.
        var directory = Path.Combine("/var/tmp", $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>A TCP port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
