extern alias dispatcher;

using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Comms.Core.Messages;
using dispatcher::Comms.Dispatcher.Email;
using dispatcher::Comms.Dispatcher.Sending;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Comms.IntegrationTests.Email;

/// <summary>
/// SMTP with the credentials of the <c>mail</c> connection string (<c>smtp://user:password@host:port</c>), against an
/// in-process server that requires authentication; the password never shows in an outcome, a log or the endpoint's text.
/// And TLS: a host that is not loopback never gets mail in clear.
/// </summary>
public sealed class SmtpSecurityTests : IAsyncDisposable
{
    private const string User = "mailer";
    private const string Password = "Pa55-w0rd-never-logged";

    private readonly Store _store = new();
    private readonly ConcurrentQueue<string> _logins = new();
    private readonly InProcessSmtp _server;

    public SmtpSecurityTests() =>
        _server = new InProcessSmtp(IPAddress.Any, endpoint => endpoint.AllowUnsecureAuthentication(true).AuthenticationRequired(true),
            _store, new Authenticator(_logins));

    [Fact]
    public async Task The_connection_strings_credentials_authenticate_the_connection()
    {
        var endpoint = SmtpEndpoint.Parse($"smtp://{User}:{Uri.EscapeDataString(Password)}@127.0.0.1:{await PortAsync()}");
        await using var sender = Sender(endpoint, new ListLogger());

        var outcome = await sender.SendAsync(Message("auth@example.test"), "test", CancellationToken.None);

        Assert.True(outcome is SendOutcome.Sent, $"not sent: {outcome}");
        Assert.Equal([$"{User}:ok"], _logins);
        Assert.Equal(1, _store.Count);
    }

    [Fact]
    public async Task A_refused_password_is_a_failed_attempt_whose_error_and_logs_never_show_the_password()
    {
        const string Wrong = "Wr0ng-pa55-never-logged";
        var endpoint = SmtpEndpoint.Parse($"smtp://{User}:{Wrong}@127.0.0.1:{await PortAsync()}");
        var log = new ListLogger();
        await using var sender = Sender(endpoint, log);

        var outcome = await sender.SendAsync(Message("auth@example.test"), "test", CancellationToken.None);

        var transient = Assert.IsType<SendOutcome.Transient>(outcome); // its Error is the message's last_error
        Assert.Contains("535", transient.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, transient.Error, StringComparison.Ordinal);
        Assert.NotEmpty(log.Lines);
        Assert.All(log.Lines, line => Assert.DoesNotContain(Wrong, line, StringComparison.Ordinal));
        Assert.DoesNotContain(Wrong, endpoint.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, outcome.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(_logins);
        Assert.All(_logins, login => Assert.Equal($"{User}:refused", login)); // MailKit tries each mechanism the server offers
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public async Task A_host_that_is_not_loopback_gets_no_mail_in_clear_when_it_offers_no_STARTTLS()
    {
        // The same plain-text server, reached by an address that is not loopback (this machine's own).
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address)
            .First(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        var endpoint = new SmtpEndpoint(address.ToString(), await PortAsync(), false, User, Password);
        var log = new ListLogger();
        await using var sender = Sender(endpoint, log);

        var outcome = await sender.SendAsync(Message("clear@example.test"), "test", CancellationToken.None);

        var transient = Assert.IsType<SendOutcome.Transient>(outcome);
        Assert.Contains("STARTTLS", transient.Error, StringComparison.Ordinal);
        Assert.Empty(_logins); // not even the credentials went out in clear
        Assert.Equal(0, _store.Count);
        Assert.All(log.Lines, line => Assert.DoesNotContain(Password, line, StringComparison.Ordinal));
    }

    private Task<int> PortAsync() => _server.PortAsync();

    private static SmtpEmailSender Sender(SmtpEndpoint endpoint, ListLogger log) =>
        new(endpoint, Options.Create(new EmailOptions { Timeout = TimeSpan.FromSeconds(10) }), TimeProvider.System, log);

    private static ClaimedMessage Message(string to) => InProcessSmtp.Message(to);

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    /// <summary>Every line logged, with its exception, at every level.</summary>
    private sealed class ListLogger : ILogger<SmtpEmailSender>
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue($"{logLevel}: {formatter(state, exception)} {exception}");
    }

    private sealed class Authenticator(ConcurrentQueue<string> logins) : IUserAuthenticator
    {
        public Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken)
        {
            var ok = user == User && password == Password;
            logins.Enqueue($"{user}:{(ok ? "ok" : "refused")}");
            return Task.FromResult(ok);
        }
    }

    private sealed class Store : MessageStore
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
