using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Comms.Hosting.Tests;

public sealed class RedisServerTests(ITestOutputHelper output) : IDisposable
{
    private readonly ILoggerFactory _loggers = TestOutputLoggerProvider.CreateFactory(output);
    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(60));

    [Fact]
    public async Task Server_answers_ping_and_is_gone_after_dispose()
    {
        int pid;
        string directory;
        await using (var server = await RedisServer.StartAsync(new RedisServerOptions(), _loggers.CreateLogger("redis"), _deadline.Token))
        {
            pid = server.Pid;
            directory = server.DataDirectory;
            Assert.Equal("redis-server", ProcessProbe.Command(pid));
            Assert.Equal($"127.0.0.1:{server.Port}", server.ConnectionString);

            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", server.Port, _deadline.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), _deadline.Token);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, _deadline.Token);
            Assert.Equal("+PONG\r\n", Encoding.ASCII.GetString(buffer, 0, read));
        }

        Assert.False(ProcessProbe.IsAlive(pid), $"redis-server pid {pid} is still alive");
        Assert.False(Directory.Exists(directory), "temporary redis directory was not deleted");
    }

    public void Dispose()
    {
        _loggers.Dispose();
        _deadline.Dispose();
    }
}
