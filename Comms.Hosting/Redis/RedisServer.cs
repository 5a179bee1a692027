using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Comms.Hosting;

/// <summary>
/// A redis-server run in the foreground as our child process (no persistence, bound to 127.0.0.1).
/// Dispose stops it with SIGTERM, falling back to SIGKILL.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly ChildProcess _process;
    private readonly RedisServerOptions _options;
    private readonly ILogger _logger;
    private readonly bool _ownsDirectory;
    private int _disposed;

    private RedisServer(ChildProcess process, RedisServerOptions options, int port, string directory, bool ownsDirectory, ILogger logger)
    {
        _process = process;
        _options = options;
        Port = port;
        DataDirectory = directory;
        _ownsDirectory = ownsDirectory;
        _logger = logger;
    }

    public int Port { get; }

    public int Pid => _process.Pid;

    public string DataDirectory { get; }

    /// <summary>StackExchange.Redis format: <c>127.0.0.1:&lt;port&gt;</c>.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public Task<int> Exited => _process.Exited;

    /// <summary>Starts redis-server and waits until it answers PING.</summary>
    public static async Task<RedisServer> StartAsync(
        RedisServerOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        logger ??= NullLogger.Instance;
        var ownsDirectory = options.DataDirectory is null;
        var directory = options.DataDirectory is { } dir
            ? Path.GetFullPath(dir)
            : Directory.CreateTempSubdirectory("comms-redis-").FullName;
        Directory.CreateDirectory(directory);

        var port = options.Port == 0 ? PortAllocator.GetFreeTcpPort() : options.Port;
        PortAllocator.EnsureFree(port, "redis-server");
        string[] arguments =
        [
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty,
            "--appendonly", "no", "--daemonize", "no", "--dir", directory,
        ];
        ChildProcess process;
        try
        {
            process = ChildProcess.Start(
                new ChildProcessOptions { FileName = options.ServerPath, Arguments = arguments, WorkingDirectory = directory },
                ProcessLog.Forward(logger));
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"Could not start '{options.ServerPath}'. Install Redis (apt-get install redis-server).", ex);
        }

        var server = new RedisServer(process, options, port, directory, ownsDirectory, logger);
        try
        {
            await server.WaitUntilReadyAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        ProcessLog.Ready(logger, "redis-server", server.Pid, port);
        return server;
    }

    /// <summary>SIGTERM, SIGKILL after <see cref="RedisServerOptions.ShutdownTimeout"/>.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!await _process.StopAsync(Signals.SIGTERM, _options.ShutdownTimeout, cancellationToken))
        {
            ProcessLog.Killed(_logger, "redis-server", Pid, _options.ShutdownTimeout);
        }
    }

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
            if (_ownsDirectory)
            {
                try
                {
                    Directory.Delete(DataDirectory, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    /// <summary>Sends PING over a raw socket; true if the answer is +PONG.</summary>
    internal static async Task<bool> PingAsync(int port, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!await PingAsync(Port, cancellationToken) || _process.HasExited)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"redis-server exited with code {await _process.Exited} during startup. Last output:{Environment.NewLine}{_process.FormatOutputTail()}");
            }

            if (clock.Elapsed > _options.StartupTimeout)
            {
                throw new TimeoutException(
                    $"redis-server did not answer PING on 127.0.0.1:{Port} within {_options.StartupTimeout.TotalSeconds:0} s. " +
                    $"Last output:{Environment.NewLine}{_process.FormatOutputTail()}");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }
}
