using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Comms.ReliabilityTests.Infrastructure;

/// <summary>
/// An HTTP/1.1 request over a plain socket with a chunked body, read concurrently with sending: the server may
/// answer (413) before the body is through and close the connection, and the answer is what counts.
/// </summary>
public static class RawHttp
{
    private const int ChunkSize = 16 * 1024;

    public static async Task<ProbeResult> SendChunkedAsync(Uri server, Probe probe, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.Host, server.Port, cancellationToken);
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{probe.Method} {probe.Url} HTTP/1.1\r\nHost: {server.Authority}\r\n")
            .Append("Transfer-Encoding: chunked\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Type: {probe.ContentType}\r\n");
        if (probe.Bearer is not null)
        {
            head.Append(CultureInfo.InvariantCulture, $"Authorization: Bearer {probe.Bearer}\r\n");
        }

        await socket.SendAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()), cancellationToken);
        using var answered = new CancellationTokenSource();
        var received = new MemoryStream();
        var reading = ReadAllAsync(socket, received, answered, cancellationToken);
        var body = probe.Body ?? [];
        try
        {
            for (var offset = 0; offset < body.Length && !answered.IsCancellationRequested; offset += ChunkSize)
            {
                var length = Math.Min(ChunkSize, body.Length - offset);
                await socket.SendAsync(Encoding.ASCII.GetBytes($"{length:x}\r\n"), cancellationToken);
                await socket.SendAsync(body.AsMemory(offset, length), cancellationToken);
                await socket.SendAsync("\r\n"u8.ToArray(), cancellationToken);
            }

            if (!answered.IsCancellationRequested)
            {
                await socket.SendAsync("0\r\n\r\n"u8.ToArray(), cancellationToken);
            }
        }
        catch (SocketException)
        {
            // The server closed the connection after answering: expected for a body over the cap.
        }

        try
        {
            await reading.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }
        catch (TimeoutException)
        {
            // Judge what arrived (an answer the server never finished is not an answer).
        }

        lock (received)
        {
            return Parse(probe, received.ToArray());
        }
    }

    /// <summary>Reads until the server closes (or the answer is complete), signalling as soon as the first bytes arrive.</summary>
    private static async Task ReadAllAsync(Socket socket, MemoryStream received, CancellationTokenSource answered, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                byte[] soFar;
                lock (received)
                {
                    received.Write(buffer, 0, read);
                    soFar = received.ToArray();
                }

                await answered.CancelAsync();
                if (IsComplete(soFar))
                {
                    break;
                }
            }
        }
        catch (SocketException)
        {
            // Reset after the answer: keep what arrived.
        }
    }

    private static bool IsComplete(byte[] data)
    {
        var text = Encoding.UTF8.GetString(data);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var length = text[..end].Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(p => int.Parse(p[1].Trim(), CultureInfo.InvariantCulture)).FirstOrDefault(-1);
        return length >= 0 && data.Length >= Encoding.UTF8.GetByteCount(text[..end]) + 4 + length;
    }

    private static ProbeResult Parse(Probe probe, byte[] data)
    {
        var text = Encoding.UTF8.GetString(data);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (!text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || end < 0)
        {
            return new ProbeResult(probe, 599, null, $"no complete HTTP answer ({data.Length} bytes: {Probe.Shorten(text, 200)})", "");
        }

        var lines = text[..end].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).ToList();
        var contentType = headers.Select(l => l.Split(':', 2)).FirstOrDefault(p => p[0].Equals("Content-Type", StringComparison.OrdinalIgnoreCase))?[1].Trim();
        var body = text[(end + 4)..];
        if (headers.Any(l => l.Equals("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase)))
        {
            body = Unchunk(body);
        }

        return new ProbeResult(probe, status, contentType?.Split(';')[0], body, string.Join('\n', headers));
    }

    private static string Unchunk(string chunked)
    {
        var result = new StringBuilder();
        var position = 0;
        while (position < chunked.Length)
        {
            var lineEnd = chunked.IndexOf("\r\n", position, StringComparison.Ordinal);
            if (lineEnd < 0)
            {
                break;
            }

            var size = int.Parse(chunked[position..lineEnd], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                break;
            }

            result.Append(chunked, lineEnd + 2, Math.Min(size, chunked.Length - lineEnd - 2));
            position = lineEnd + 2 + size + 2;
        }

        return result.ToString();
    }
}
