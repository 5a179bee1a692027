extern alias dispatcher;

using System.Buffers;
using Comms.Core.Messages;
using dispatcher::Comms.Dispatcher.Email;
using dispatcher::Comms.Dispatcher.Sending;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Comms.IntegrationTests.Email;

/// <summary>
/// SMTP servers end sessions that idle (real ones after about a minute, this in-process one after three seconds). The next email after
/// such a pause is delivered on its first attempt: the pooled connection is
/// checked or replaced before use, and one the server closed is a reconnect, not a failed attempt.
/// </summary>
public sealed class SmtpIdleConnectionTests : IAsyncDisposable
{
    private readonly CountingStore _store = new();

    // The server ends a session idle for 3 s: long enough for the first send (MailKit's JIT) on a loaded 2-core machine.
    private readonly InProcessSmtp _server;

    public SmtpIdleConnectionTests() =>
        _server = new InProcessSmtp(System.Net.IPAddress.Loopback, endpoint => endpoint.SessionTimeout(TimeSpan.FromSeconds(3)), _store);

    [Theory]
    [InlineData(0)] // checked with NOOP before use
    [InlineData(3600)] // reused unchecked: the send finds the connection closed and reconnects
    public async Task After_the_server_closed_an_idle_pooled_connection_the_next_email_is_sent_on_its_first_attempt(int idleCheckAfterSeconds)
    {
        var port = await _server.PortAsync();
        var sender = new SmtpEmailSender(new SmtpEndpoint("127.0.0.1", port, false, null, null),
            Options.Create(new EmailOptions { IdleCheckAfter = TimeSpan.FromSeconds(idleCheckAfterSeconds) }),
            TimeProvider.System, NullLogger<SmtpEmailSender>.Instance);
        await using var _ = sender;

        var first = await sender.SendAsync(Message("first@example.test"), "test", CancellationToken.None);
        Assert.True(first is SendOutcome.Sent, $"the first email was not sent: {first}");
        await Task.Delay(TimeSpan.FromSeconds(6.5)); // the fault window: well past the server's session timeout

        var second = await sender.SendAsync(Message("second@example.test"), "test", CancellationToken.None);

        Assert.True(second is SendOutcome.Sent, $"the email after the idle pause was not sent at once: {second}");
        Assert.Equal(2, _store.Count);
    }

    [Fact]
    public void A_mail_connection_string_never_shows_its_password()
    {
        var endpoint = SmtpEndpoint.Parse("smtp://mailer:s3cret-pass@smtp.example.test:587");
        var refused = Assert.Throws<InvalidOperationException>(() => SmtpEndpoint.Parse("http://mailer:s3cret-pass@smtp.example.test"));

        Assert.DoesNotContain("s3cret-pass", endpoint.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pass", refused.Message, StringComparison.Ordinal);
    }

    private static ClaimedMessage Message(string to) => InProcessSmtp.Message(to);

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private sealed class CountingStore : MessageStore
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
