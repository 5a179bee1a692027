using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Comms.TestServers;

/// <summary>A throwaway redis-server on a free port, in the foreground, without persistence.</summary>
public sealed class RedisServer : ServerProcess
{
    private RedisServer(string directory) : base(directory) => Port = FreePort();

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartNewAsync(CancellationToken cancellationToken = default)
    {
        var server = new RedisServer(NewDirectory("comms-test-redis"));
        await server.StartAsync(cancellationToken);
        return server;
    }

    protected override (string File, IEnumerable<string> Arguments) Command() => ("redis-server",
    [
        "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--daemonize", "no", "--dir", Directory,
    ]);

    protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return false;
        }
    }
}
