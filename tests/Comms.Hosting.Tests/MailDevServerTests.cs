using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Comms.Hosting.Tests;

public sealed class MailDevServerTests(ITestOutputHelper output) : IDisposable
{
    private readonly ILoggerFactory _loggers = TestOutputLoggerProvider.CreateFactory(output);
    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(60));

    [Fact]
    public async Task Mail_sent_over_smtp_can_be_read_back_through_the_rest_api()
    {
        var mailDirectory = Directory.CreateTempSubdirectory("comms-maildev-test-");
        try
        {
            int pid;
            await using (var server = await MailDevServer.StartAsync(
                             new MailDevOptions { MailDirectory = mailDirectory.FullName }, _loggers.CreateLogger("mail"), _deadline.Token))
            {
                pid = server.Pid;
                Assert.Equal($"smtp://127.0.0.1:{server.SmtpPort}", server.ConnectionString);
                Assert.True(ProcessProbe.IsAlive(pid));

                var subject = $"Hello {Guid.NewGuid():N}";
                await SendMailAsync(server.SmtpPort, "from@example.test", "to@example.test", subject, _deadline.Token);

                using var http = new HttpClient { BaseAddress = new Uri(server.WebUrl) };
                string json = string.Empty;
                var found = await ProcessProbe.EventuallyAsync(
                    async () =>
                    {
                        json = await http.GetStringAsync("/api/email", _deadline.Token);
                        return json.Contains(subject, StringComparison.Ordinal);
                    },
                    TimeSpan.FromSeconds(10));
                Assert.True(found, $"mail not listed by /api/email: {json}");
                using var document = JsonDocument.Parse(json);
                Assert.Contains(document.RootElement.EnumerateArray(), mail => mail.GetProperty("subject").GetString() == subject);
            }

            Assert.False(ProcessProbe.IsAlive(pid), $"maildev pid {pid} is still alive");
        }
        finally
        {
            mailDirectory.Delete(recursive: true);
        }
    }

    /// <summary>A minimal SMTP dialogue: HELO, MAIL FROM, RCPT TO, DATA, QUIT.</summary>
    private static async Task SendMailAsync(int port, string from, string to, string subject, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, cancellationToken);
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream);
        await using var writer = new StreamWriter(stream) { NewLine = "\r\n", AutoFlush = true };

        await ExpectAsync(reader, "220", cancellationToken);
        await CommandAsync(writer, reader, "HELO tests.local", "250", cancellationToken);
        await CommandAsync(writer, reader, $"MAIL FROM:<{from}>", "250", cancellationToken);
        await CommandAsync(writer, reader, $"RCPT TO:<{to}>", "250", cancellationToken);
        await CommandAsync(writer, reader, "DATA", "354", cancellationToken);
        var message = $"From: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBody of the test mail.\r\n.";
        await CommandAsync(writer, reader, message, "250", cancellationToken);
        await CommandAsync(writer, reader, "QUIT", "221", cancellationToken);
    }

    private static async Task CommandAsync(StreamWriter writer, StreamReader reader, string command, string expected, CancellationToken cancellationToken)
    {
        await writer.WriteLineAsync(command.AsMemory(), cancellationToken);
        await ExpectAsync(reader, expected, cancellationToken);
    }

    private static async Task ExpectAsync(StreamReader reader, string expected, CancellationToken cancellationToken)
    {
        string? line;
        do
        {
            line = await reader.ReadLineAsync(cancellationToken) ?? throw new IOException("SMTP connection closed");
        }
        while (line.Length > 3 && line[3] == '-'); // multi-line reply

        Assert.StartsWith(expected, line, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _loggers.Dispose();
        _deadline.Dispose();
    }
}
