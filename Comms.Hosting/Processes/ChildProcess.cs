using System.Collections.Concurrent;
using System.Diagnostics;

namespace Comms.Hosting;

/// <summary>
/// A child process with redirected output: every stdout/stderr line goes to a callback, the last lines are kept
/// for error messages, and the process is killed on dispose if it is still running.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const string SetsidPath = "/usr/bin/setsid";
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(10);
    private static readonly ConcurrentDictionary<ChildProcess, byte> Live = new();

    private readonly Process _process;
    private readonly Action<string>? _onOutput;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<string> _tail = new();
    private readonly int _tailLines;
    private readonly Lock _tailLock = new();

    static ChildProcess()
    {
        // Safety net: never leave children behind when the host exits or crashes without disposing them.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAllLive();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillAllLive();
    }

    private ChildProcess(ChildProcessOptions options, Action<string>? onOutput)
    {
        _onOutput = onOutput;
        _tailLines = Math.Max(1, options.OutputTailLines);
        CommandLine = string.Join(' ', [options.FileName, .. options.Arguments.Select(Quote)]);

        var useSetsid = options.NewSession && File.Exists(SetsidPath);
        var info = new ProcessStartInfo(useSetsid ? SetsidPath : options.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = options.WorkingDirectory ?? Environment.CurrentDirectory,
        };
        if (useSetsid)
        {
            info.ArgumentList.Add(options.FileName);
        }

        foreach (var argument in options.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in options.Environment)
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Exited += (_, _) => _ = CompleteExitAsync();
    }

    /// <summary>PID of the started program (with <see cref="ChildProcessOptions.NewSession"/> too: setsid execs in place).</summary>
    public int Pid { get; private set; }

    /// <summary>The command line, for messages.</summary>
    public string CommandLine { get; }

    /// <summary>Completes with the exit code once the process has exited and its output is drained.</summary>
    public Task<int> Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>Starts the process. Throws if the program cannot be started.</summary>
    public static ChildProcess Start(ChildProcessOptions options, Action<string>? onOutput = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var child = new ChildProcess(options, onOutput);
        child._process.Start();
        child.Pid = child._process.Id;
        Live.TryAdd(child, 0);
        child._process.StandardInput.Close(); // children read EOF, never the host's terminal
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>True if the pid exists and is not a zombie (reads /proc).</summary>
    public static bool IsProcessAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].TrimStart();
            return state.Length > 0 && state[0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    public Task<int> WaitForExitAsync(CancellationToken cancellationToken = default) =>
        Exited.WaitAsync(cancellationToken);

    /// <summary>Sends a signal; false if the process has already exited.</summary>
    public bool Signal(int signal) => !HasExited && NativeMethods.SendSignal(Pid, signal);

    /// <summary>
    /// Sends <paramref name="signal"/> and waits up to <paramref name="timeout"/>; then SIGKILLs the process tree.
    /// Returns true if the process exited within the timeout (a graceful stop).
    /// </summary>
    public async Task<bool> StopAsync(int signal, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (HasExited)
        {
            return true;
        }

        Signal(signal);
        try
        {
            await Exited.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            await KillAsync();
            return false;
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            throw;
        }
    }

    /// <summary>The last output lines (stdout and stderr interleaved).</summary>
    public IReadOnlyList<string> GetOutputTail()
    {
        lock (_tailLock)
        {
            return [.. _tail];
        }
    }

    /// <summary>The output tail as an indented block, for exception messages.</summary>
    public string FormatOutputTail()
    {
        var tail = GetOutputTail();
        return tail.Count == 0
            ? "  (no output)"
            : string.Join(Environment.NewLine, tail.Select(line => "  " + line));
    }

    public async ValueTask DisposeAsync()
    {
        if (!HasExited)
        {
            await KillAsync();
        }

        Live.TryRemove(this, out _);
        _process.Dispose();
    }

    private async Task KillAsync()
    {
        TryKillTree();
        try
        {
            await Exited.WaitAsync(KillWait);
        }
        catch (TimeoutException)
        {
            // Nothing more we can do; the kernel has the SIGKILL.
        }
    }

    private void TryKillTree()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception) when (HasExited || !NativeMethods.ProcessExists(Pid))
        {
            // Already gone.
        }
        catch (Exception)
        {
            NativeMethods.SendSignal(Pid, Signals.SIGKILL);
        }
    }

    private async Task CompleteExitAsync()
    {
        try
        {
            // Give the output readers a moment to reach EOF (a grandchild may still hold the pipe).
            using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _process.WaitForExitAsync(drain.Token);
        }
        catch (OperationCanceledException)
        {
        }

        int code;
        try
        {
            code = _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            code = -1;
        }

        Live.TryRemove(this, out _);
        _exited.TrySetResult(code);
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tailLock)
        {
            _tail.Enqueue(line);
            while (_tail.Count > _tailLines)
            {
                _tail.Dequeue();
            }
        }

        try
        {
            _onOutput?.Invoke(line);
        }
        catch (Exception)
        {
            // A failing log sink must not take the output reader down.
        }
    }

    /// <summary>SIGKILLs every child (and its tree) still running in this process.</summary>
    internal static void KillAllLive()
    {
        foreach (var child in Live.Keys)
        {
            child.TryKillTree();
        }
    }

    private static string Quote(string argument) =>
        argument.Length == 0 ? "''" : argument.Contains(' ', StringComparison.Ordinal) ? $"'{argument}'" : argument;
}
