using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Comms.Hosting;

/// <summary>Finds free TCP ports on 127.0.0.1.</summary>
public static class PortAllocator
{
    // Ports handed out by this process, so two quick calls never return the same port.
    private static readonly ConcurrentDictionary<int, byte> Issued = new();

    /// <summary>Binds 127.0.0.1:0, reads the port the OS picked and releases it again.</summary>
    public static int GetFreeTcpPort()
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (Issued.TryAdd(port, 0))
            {
                return port;
            }
        }

        throw new InvalidOperationException("Could not find a free TCP port on 127.0.0.1.");
    }

    /// <summary>True if 127.0.0.1:<paramref name="port"/> can be bound right now.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Throws if a fixed port is taken: otherwise a readiness probe could talk to the old occupant (say, a
    /// server left over from a previous run) while our own process fails to bind.
    /// </summary>
    public static void EnsureFree(int port, string owner)
    {
        if (!IsFree(port))
        {
            throw new InvalidOperationException(
                $"Port {port} on 127.0.0.1, needed by {owner}, is already in use (is a previous run still alive?). Free it or configure another port.");
        }
    }
}
