using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Comms.Core.Email;
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
/// is not thread-safe, so each send borrows one). A connection that idled is checked (NOOP) or replaced
/// before use, and a pooled connection the server closed meanwhile (a 421 or a dropped socket) is
/// replaced and the message sent on a new one at once — neither is a failed attempt. 5xx replies are
/// permanent failures; other 4xx replies and connection errors are transient and retried by the worker.
/// TLS is required for any host that is not loopback (implicit with <c>smtps://</c>, else STARTTLS).
/// </summary>
[Comms.ServiceDefaults.HotPath]
public sealed partial class SmtpEmailSender(
    SmtpEndpoint endpoint, IOptions<EmailOptions> options, TimeProvider time, ILogger<SmtpEmailSender> logger)
    : IChannelSender, IAsyncDisposable
{
    private readonly ConcurrentBag<(SmtpClient Client, DateTimeOffset IdleSince)> _idle = [];
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConnections, options.Value.MaxConnections);
    private readonly MailboxAddress _from = MailboxAddress.Parse(options.Value.From);
    private readonly MailboxAddress _unsubscribeMailto = options.Value.UnsubscribeMailbox();

    public string Channel => Core.Messages.Channel.Email;

    public async Task<SendOutcome> SendAsync(ClaimedMessage message, string leaseOwner, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(message.Address) || !MailboxAddress.TryParse(message.Address, out _))
        {
            return new SendOutcome.Permanent($"'{message.Address}' is not a valid email address.") { Provider = EmailProviders.Smtp, Response = "not sent (invalid address)" };
        }

        using var mime = EmailComposer.Compose(message, _from, _unsubscribeMailto);
        return await SendMimeAsync(mime, cancellationToken);
    }

    /// <summary>The deployment's sender address (<c>Comms:Email:From</c>).</summary>
    public MailboxAddress From => _from;

    /// <summary>Sends a composed message (e.g. an operator's reply from the inbox) through the same pool, TLS rules and outcomes.</summary>
    public async Task<SendOutcome> SendMimeAsync(MimeMessage mime, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        SmtpClient? client = null;
        try
        {
            (client, var reused) = await BorrowAsync(cancellationToken);
            try
            {
                await client.SendAsync(mime, cancellationToken);
            }
            catch (Exception ex) when (reused && IsClosedByServer(ex) && !cancellationToken.IsCancellationRequested)
            {
                // The server dropped the pooled connection while it idled: a new connection, not a failed attempt.
                LogReconnected(logger, endpoint.Host, endpoint.Port, ex.Message);
                await DisconnectQuietlyAsync(client);
                client = null;
                client = await ConnectAsync(cancellationToken);
                await client.SendAsync(mime, cancellationToken);
            }

            _idle.Add((client, time.GetUtcNow()));
            client = null;
            return new SendOutcome.Sent(mime.MessageId) { Provider = EmailProviders.Smtp, Response = "accepted" };
        }
        catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
        {
            return new SendOutcome.Permanent($"SMTP {(int)ex.StatusCode}: {ex.Message}")
            {
                Provider = EmailProviders.Smtp, StatusCode = (int)ex.StatusCode, Response = $"{(int)ex.StatusCode} {ex.StatusCode}",
            };
        }
        catch (SmtpCommandException ex)
        {
            return new SendOutcome.Transient($"SMTP {(int)ex.StatusCode}: {ex.Message}")
            {
                Provider = EmailProviders.Smtp, StatusCode = (int)ex.StatusCode, Response = $"{(int)ex.StatusCode} {ex.StatusCode}",
            };
        }
        catch (NotSupportedException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // E.g. a host that is not loopback offers no STARTTLS: nothing is sent in clear.
            LogConnectionProblem(logger, endpoint.Host, endpoint.Port, ex.Message);
            return new SendOutcome.Transient($"SMTP server refused what this sender requires (TLS for a host that is not loopback): {ex.Message}")
            {
                Provider = EmailProviders.Smtp, Response = "refused (TLS required)",
            };
        }
        catch (Exception ex) when (ex is SmtpProtocolException or IOException or SocketException or ServiceNotConnectedException
                                       or TimeoutException or AuthenticationException or OperationCanceledException
                                   && !cancellationToken.IsCancellationRequested)
        {
            LogConnectionProblem(logger, endpoint.Host, endpoint.Port, ex.Message);
            return new SendOutcome.Transient($"SMTP connection problem: {ex.Message}") { Provider = EmailProviders.Smtp, Response = $"no answer ({ex.GetType().Name})" };
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

    /// <summary>Opens one pooled connection ahead of the first email (connect, EHLO, TLS and the client's own JIT).</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var client = await ConnectAsync(cancellationToken);
        await client.NoOpAsync(cancellationToken);
        _idle.Add((client, time.GetUtcNow()));
        await RehearseAsync(cancellationToken);
    }

    /// <summary>
    /// Composes and sends a message (MimeKit's headers, encoders and formatting, MailKit's MAIL FROM, RCPT TO and DATA)
    /// to a server that is a script in memory: nothing leaves the process.
    /// </summary>
    public async Task RehearseAsync(CancellationToken cancellationToken)
    {
        var sample = new ClaimedMessage(
            Guid.Empty, "~warm-up", null, Guid.Empty, "warm-up", Comms.Core.Messages.Channel.Email, "account", "warm-up", 1, "en-US", "warm-up",
            "warm-up@example.invalid", 0, null, null,
            new RenderedContent { Subject = "Warm", Text = "Warm up", Html = "<p>Warm up</p>" }, UnsubscribeUrl: "https://example.invalid/u");
        using var mime = EmailComposer.Compose(sample, _from, _unsubscribeMailto);
        await SmtpRehearsal.RunAsync(mime, cancellationToken);
    }

    /// <summary>A pooled connection when one is fresh enough (checked with NOOP after <c>IdleCheckAfter</c>), else a new one.</summary>
    private async Task<(SmtpClient Client, bool Reused)> BorrowAsync(CancellationToken cancellationToken)
    {
        while (_idle.TryTake(out var pooled))
        {
            var idle = time.GetUtcNow() - pooled.IdleSince;
            if (!pooled.Client.IsConnected || idle > options.Value.MaxIdle)
            {
                await DisconnectQuietlyAsync(pooled.Client);
                continue;
            }

            if (idle > options.Value.IdleCheckAfter)
            {
                try
                {
                    await pooled.Client.NoOpAsync(cancellationToken);
                }
                catch (Exception ex) when (IsClosedByServer(ex))
                {
                    await DisconnectQuietlyAsync(pooled.Client);
                    continue;
                }
            }

            return (pooled.Client, true);
        }

        return (await ConnectAsync(cancellationToken), false);
    }

    /// <summary>What a server that closed an idle session looks like to the client.</summary>
    private static bool IsClosedByServer(Exception exception) => exception is IOException or SocketException
        or ServiceNotConnectedException or SmtpProtocolException
        or SmtpCommandException { StatusCode: SmtpStatusCode.ServiceNotAvailable };

    private async Task<SmtpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = (int)options.Value.Timeout.TotalMilliseconds };
        var security = endpoint.ImplicitTls ? SecureSocketOptions.SslOnConnect
            : IsLoopback(endpoint.Host) ? SecureSocketOptions.None
            : SecureSocketOptions.StartTls; // never "when available": a stripped STARTTLS must not send mail in clear
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
        while (_idle.TryTake(out var pooled))
        {
            await DisconnectQuietlyAsync(pooled.Client);
        }

        _slots.Dispose();
    }

    [LoggerMessage(2, LogLevel.Information, "SMTP server {Host}:{Port} had closed a pooled connection ({Problem}); sent on a new one.")]
    private static partial void LogReconnected(ILogger logger, string host, int port, string problem);

    [LoggerMessage(1, LogLevel.Warning, "SMTP server {Host}:{Port} problem: {Problem}")]
    private static partial void LogConnectionProblem(ILogger logger, string host, int port, string problem);
}
