using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Comms.Dispatcher.Email;

/// <summary>
/// One whole SMTP transaction — greeting, EHLO, MAIL FROM, RCPT TO, DATA with the message, QUIT — through MailKit's real
/// client, against a server that is only a script in memory (<see cref="ScriptedSmtpStream"/>): the first real email
/// does not pay for the JIT of MailKit's send path and MimeKit's formatting. No socket is opened and nothing leaves the
/// process, so no email is sent anywhere.
/// </summary>
public static class SmtpRehearsal
{
    /// <summary>Sends the message to the script; returns the commands the script received, in order.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var server = new ScriptedSmtpStream();
        using var client = new SmtpClient();
        await client.ConnectAsync(server, "localhost", 25, SecureSocketOptions.None, cancellationToken);
        await client.SendAsync(message, cancellationToken);
        await client.NoOpAsync(cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
        return server.Commands;
    }

    /// <summary>
    /// The server side of <see cref="RunAsync"/>: every command line written gets its reply queued at once (a client reads
    /// only after it wrote), the message after DATA is read up to its final dot and dropped.
    /// </summary>
    internal sealed class ScriptedSmtpStream : Stream
    {
        private readonly Queue<byte> _replies = new();
        private readonly List<byte> _line = [];
        private bool _inData;

        public ScriptedSmtpStream() => Reply("220 warm-up ESMTP\r\n");

        public List<string> Commands { get; } = [];

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = 0;
            while (read < buffer.Length && _replies.TryDequeue(out var b))
            {
                buffer[read++] = b;
            }

            return read;
        }

        // The asynchronous calls complete asynchronously, as a socket's do: so MailKit's async methods really suspend
        // and resume here, and what the runtime makes for that (their state-machine boxes) is compiled now too. A
        // millisecond, not Task.Yield: a yielded continuation can finish on the other core before the caller looks.
        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            await Task.Delay(1, cancellationToken);
            return Read(buffer.AsSpan(offset, count));
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(1, cancellationToken);
            return Read(buffer.Span);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            foreach (var b in buffer)
            {
                _line.Add(b);
                if (b == '\n' && _line.Count >= 2 && _line[^2] == '\r')
                {
                    Handle(Encoding.ASCII.GetString([.. _line], 0, _line.Count - 2));
                    _line.Clear();
                }
            }
        }

        public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            await Task.Delay(1, cancellationToken);
            Write(buffer.AsSpan(offset, count));
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(1, cancellationToken);
            Write(buffer.Span);
        }

        public override void Flush()
        {
        }

        public override async Task FlushAsync(CancellationToken cancellationToken) => await Task.Delay(1, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private void Handle(string line)
        {
            if (_inData)
            {
                if (line == ".")
                {
                    _inData = false;
                    Reply("250 2.0.0 Ok: dropped\r\n");
                }

                return;
            }

            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            Commands.Add(verb);
            switch (verb)
            {
                case "EHLO":
                    Reply("250-warm-up\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 0\r\n");
                    break;
                case "DATA":
                    _inData = true;
                    Reply("354 End data with <CR><LF>.<CR><LF>\r\n");
                    break;
                case "QUIT":
                    Reply("221 Bye\r\n");
                    break;
                default:
                    Reply("250 Ok\r\n");
                    break;
            }
        }

        private void Reply(string text)
        {
            foreach (var b in Encoding.ASCII.GetBytes(text))
            {
                _replies.Enqueue(b);
            }
        }
    }
}
