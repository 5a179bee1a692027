using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Comms.Hosting;

/// <summary>
/// The lifecycle every local server (<see cref="PostgresServer"/>, <see cref="RedisServer"/>,
/// <see cref="MailDevServer"/>) shares: its child process is polled until it answers, stopped with the
/// server's signal (SIGKILL after a deadline), and on dispose stopped, disposed and its owned directory
/// deleted. A server adds its arguments, its readiness probe and what it tells clients.
/// </summary>
public abstract class LocalServer : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly ChildProcess _process;
    private readonly LocalServerProfile _profile;
    private int _disposed;

    private protected LocalServer(ChildProcess process, LocalServerProfile profile, ILogger logger)
    {
        _process = process;
        _profile = profile;
        Logger = logger;
    }

    /// <summary>PID of the server itself (<c>setsid</c> and <c>setpriv</c> exec in place).</summary>
    public int Pid => _process.Pid;

    /// <summary>Completes with the exit code when the server exits.</summary>
    public Task<int> Exited => _process.Exited;

    private protected ILogger Logger { get; }

    /// <summary>Why the last probe failed, where the probe knows: the inner exception of the startup timeout.</summary>
    private protected Exception? ProbeFailure { get; set; }

    /// <summary>
    /// Sends the server's stop signal (PostgreSQL: SIGINT, a fast shutdown; Redis and MailDev: SIGTERM) and
    /// SIGKILLs it after the <c>ShutdownTimeout</c> of its options.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!await _process.StopAsync(_profile.StopSignal, _profile.ShutdownTimeout, cancellationToken))
        {
            ProcessLog.Killed(Logger, _profile.Program, Pid, _profile.ShutdownTimeout);
        }
    }

    /// <summary>Stops the server, disposes its process and deletes the directory it owns; later calls do nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await StopAsync();
        }
        finally
        {
            await _process.DisposeAsync();
            if (_profile.OwnedDirectory is { } directory)
            {
                DeleteOwnedDirectory(directory);
            }
        }
    }

    /// <summary>The requested port, or a free one for 0; throws if the port is taken (see <see cref="PortAllocator.EnsureFree"/>).</summary>
    private protected static int ReservePort(int requested, string owner)
    {
        var port = requested == 0 ? PortAllocator.GetFreeTcpPort() : requested;
        PortAllocator.EnsureFree(port, owner);
        return port;
    }

    /// <summary>
    /// The full path of <paramref name="requested"/>, created if missing; null: a new temporary folder named
    /// <paramref name="temporaryPrefix"/>… that the server owns (pass it as <see cref="LocalServerProfile.OwnedDirectory"/>).
    /// </summary>
    private protected static (string Path, bool Owned) PrepareDirectory(string? requested, string temporaryPrefix)
    {
        var directory = requested is { } path
            ? Path.GetFullPath(path)
            : Directory.CreateTempSubdirectory(temporaryPrefix).FullName;
        Directory.CreateDirectory(directory);
        return (directory, requested is null);
    }

    /// <summary>True once the server answers; false while it does not yet (it is asked again).</summary>
    private protected abstract Task<bool> IsReadyAsync(CancellationToken cancellationToken);

    /// <summary>Deletes <see cref="LocalServerProfile.OwnedDirectory"/> on dispose; an I/O error leaves it behind.</summary>
    private protected virtual void DeleteOwnedDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// Waits until the server answers and logs that it listens on <paramref name="port"/>. If it exits, does not
    /// answer within the startup timeout or the wait is cancelled, the server is disposed and the error rethrown.
    /// </summary>
    private protected async Task WaitUntilReadyAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            await PollUntilReadyAsync(cancellationToken);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }

        ProcessLog.Ready(Logger, _profile.Program, Pid, port);
    }

    private async Task PollUntilReadyAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var ready = await IsReadyAsync(cancellationToken);
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"{_profile.DisplayName} exited with code {await _process.Exited} during startup. Last output:{Environment.NewLine}{_process.FormatOutputTail()}");
            }

            if (ready)
            {
                return;
            }

            if (clock.Elapsed > _profile.StartupTimeout)
            {
                throw new TimeoutException(
                    $"{_profile.DisplayName} did not {_profile.Readiness} within {_profile.StartupTimeout.TotalSeconds:0} s. " +
                    $"Last output:{Environment.NewLine}{_process.FormatOutputTail()}", ProbeFailure);
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }
}

/// <summary>What sets one <see cref="LocalServer"/> apart in the lifecycle they share.</summary>
/// <param name="Program">The name in log lines, e.g. <c>redis-server</c>.</param>
/// <param name="DisplayName">The name in startup errors, e.g. <c>PostgreSQL</c>.</param>
/// <param name="Readiness">What the probe waits for, as in "did not … within 30 s", e.g. <c>answer PING on 127.0.0.1:6379</c>.</param>
/// <param name="StopSignal">What <see cref="LocalServer.StopAsync"/> sends before it falls back to SIGKILL.</param>
/// <param name="OwnedDirectory">A directory to delete on dispose; null: nothing is deleted.</param>
internal sealed record LocalServerProfile(
    string Program,
    string DisplayName,
    string Readiness,
    int StopSignal,
    TimeSpan StartupTimeout,
    TimeSpan ShutdownTimeout,
    string? OwnedDirectory);
