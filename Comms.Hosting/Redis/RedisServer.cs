using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Comms.Hosting;

/// <summary>
/// A redis-server run in the foreground as our child process (no persistence, bound to 127.0.0.1).
/// Stop and dispose use SIGTERM, falling back to SIGKILL after <see cref="RedisServerOptions.ShutdownTimeout"/>.
/// </summary>
public sealed class RedisServer : LocalServer
{
    private RedisServer(ChildProcess process, RedisServerOptions options, int port, string directory, bool ownsDirectory, ILogger logger)
        : base(process, new LocalServerProfile(
            Program: "redis-server", DisplayName: "redis-server", Readiness: $"answer PING on 127.0.0.1:{port}",
            Signals.SIGTERM, options.StartupTimeout, options.ShutdownTimeout, OwnedDirectory: ownsDirectory ? directory : null), logger)
    {
        Port = port;
        DataDirectory = directory;
    }

    public int Port { get; }

    public string DataDirectory { get; }

    /// <summary>StackExchange.Redis format: <c>127.0.0.1:&lt;port&gt;</c>.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Starts redis-server and waits until it answers PING.</summary>
    public static async Task<RedisServer> StartAsync(
        RedisServerOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        logger ??= NullLogger.Instance;
        var (directory, ownsDirectory) = PrepareDirectory(options.DataDirectory, "comms-redis-");
        var port = ReservePort(options.Port, "redis-server");
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
        await server.WaitUntilReadyAsync(port, cancellationToken);
        return server;
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

    private protected override Task<bool> IsReadyAsync(CancellationToken cancellationToken) => PingAsync(Port, cancellationToken);
}
