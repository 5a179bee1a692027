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
    private readonly CancellationTokenSource _stop = new();
    private readonly CountingStore _store = new();
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _server;

    public SmtpIdleConnectionTests()
    {
        var options = new SmtpServerOptionsBuilder().ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0))
                .SessionTimeout(TimeSpan.FromSeconds(3))) // long enough for the first send (MailKit's JIT) on a loaded 2-core machine
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(_store);
        // Port 0: the system picks a free port and the listener says which (no race with other tests for a port).
        var listeners = new SmtpServer.Net.EndpointListenerFactory();
        listeners.EndpointStarted += (_, e) => _port.TrySetResult(((System.Net.IPEndPoint)e.LocalEndPoint).Port);
        services.Add(listeners);
        _server = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    [Theory]
    [InlineData(0)] // checked with NOOP before use
    [InlineData(3600)] // reused unchecked: the send finds the connection closed and reconnects
    public async Task After_the_server_closed_an_idle_pooled_connection_the_next_email_is_sent_on_its_first_attempt(int idleCheckAfterSeconds)
    {
        var port = await _port.Task.WaitAsync(TimeSpan.FromSeconds(30));
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

    private static ClaimedMessage Message(string to) => new(
        Guid.CreateVersion7(), "t", null, Guid.NewGuid(), "user", Channel.Email, "account", "welcome", 1, "en-US", "c:1", to, 0, null, null,
        new RenderedContent { Subject = "Hello", Text = "Hello" });

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _server;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

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
