using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Comms.Core.Messages;
using Comms.Dispatcher.Sending;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Comms.Dispatcher.Email;

/// <summary>
/// Sends email over SMTP with MailKit, through a small pool of open connections (a MailKit client
/// is not thread-safe, so each send borrows one). 5xx replies are permanent failures; 4xx replies and
/// connection errors are transient and retried by the worker.
/// </summary>
public sealed partial class SmtpEmailSender(SmtpEndpoint endpoint, IOptions<EmailOptions> options, ILogger<SmtpEmailSender> logger)
    : IChannelSender, IAsyncDisposable
{
    private readonly ConcurrentBag<SmtpClient> _idle = [];
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConnections, options.Value.MaxConnections);
    private readonly MailboxAddress _from = MailboxAddress.Parse(options.Value.From);

    public string Channel => Core.Messages.Channel.Email;

    public async Task<SendOutcome> SendAsync(ClaimedMessage message, string leaseOwner, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(message.Address) || !MailboxAddress.TryParse(message.Address, out _))
        {
            return new SendOutcome.Permanent($"'{message.Address}' is not a valid email address.");
        }

        var mime = EmailComposer.Compose(message, _from);
        await _slots.WaitAsync(cancellationToken);
        SmtpClient? client = null;
        try
        {
            client = _idle.TryTake(out var pooled) && pooled.IsConnected ? pooled : null;
            client ??= await ConnectAsync(cancellationToken);
            await client.SendAsync(mime, cancellationToken);
            _idle.Add(client);
            client = null;
            return new SendOutcome.Sent(mime.MessageId);
        }
        catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
        {
            return new SendOutcome.Permanent($"SMTP {(int)ex.StatusCode}: {ex.Message}");
        }
        catch (SmtpCommandException ex)
        {
            return new SendOutcome.Transient($"SMTP {(int)ex.StatusCode}: {ex.Message}");
        }
        catch (Exception ex) when (ex is SmtpProtocolException or IOException or SocketException or ServiceNotConnectedException
                                       or TimeoutException or AuthenticationException or OperationCanceledException
                                   && !cancellationToken.IsCancellationRequested)
        {
            LogConnectionProblem(logger, endpoint.Host, endpoint.Port, ex.Message);
            return new SendOutcome.Transient($"SMTP connection problem: {ex.Message}");
        }
        finally
        {
            if (client is not null)
            {
                await DisconnectQuietlyAsync(client);
            }

            _slots.Release();
        }
    }

    private async Task<SmtpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = (int)options.Value.Timeout.TotalMilliseconds };
        var security = endpoint.ImplicitTls ? SecureSocketOptions.SslOnConnect
            : IsLoopback(endpoint.Host) ? SecureSocketOptions.None
            : SecureSocketOptions.StartTlsWhenAvailable;
        await client.ConnectAsync(endpoint.Host, endpoint.Port, security, cancellationToken);
        if (endpoint.UserName is not null)
        {
            await client.AuthenticateAsync(endpoint.UserName, endpoint.Password ?? "", cancellationToken);
        }

        return client;
    }

    private static bool IsLoopback(string host) =>
        host is "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));

    private static async Task DisconnectQuietlyAsync(SmtpClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(quit: true);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or SmtpProtocolException or ServiceNotConnectedException)
        {
            // The connection is gone either way.
        }
        finally
        {
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var client))
        {
            await DisconnectQuietlyAsync(client);
        }

        _slots.Dispose();
    }

    [LoggerMessage(1, LogLevel.Warning, "SMTP server {Host}:{Port} problem: {Problem}")]
    private static partial void LogConnectionProblem(ILogger logger, string host, int port, string problem);
}
