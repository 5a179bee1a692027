using System.Net;
using Comms.Core.Messages;
using SmtpServer;

namespace Comms.IntegrationTests.Email;

/// <summary>
/// An SmtpServer of the test's own, on a port the system picks (port 0; the listener says which, so no race with other
/// tests for a port), stopped when disposed; and the email message the SMTP tests send.
/// </summary>
public sealed class InProcessSmtp : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _server;

    /// <param name="endpoint">The endpoint's settings beyond its address (timeouts, authentication).</param>
    /// <param name="services">The server's services (message store, authenticator).</param>
    public InProcessSmtp(IPAddress address, Action<EndpointDefinitionBuilder> endpoint, params object[] services)
    {
        var options = new SmtpServerOptionsBuilder().ServerName("localhost")
            .Endpoint(builder => endpoint(builder.Endpoint(new IPEndPoint(address, 0))))
            .Build();
        var provider = new SmtpServer.ComponentModel.ServiceProvider();
        foreach (var service in services)
        {
            switch (service)
            {
                case SmtpServer.Storage.IMessageStore store: provider.Add(store); break;
                case SmtpServer.Authentication.IUserAuthenticator authenticator: provider.Add(authenticator); break;
                default: throw new ArgumentException($"Not an SmtpServer service: {service.GetType().Name}", nameof(services));
            }
        }

        var listeners = new SmtpServer.Net.EndpointListenerFactory();
        listeners.EndpointStarted += (_, e) => _port.TrySetResult(((IPEndPoint)e.LocalEndPoint).Port);
        provider.Add(listeners);
        _server = new SmtpServer.SmtpServer(options, provider).StartAsync(_stop.Token);
    }

    /// <summary>The port the server listens on, once it does.</summary>
    public async Task<int> PortAsync() => await _port.Task.WaitAsync(TimeSpan.FromSeconds(30));

    public static ClaimedMessage Message(string to) => new(
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
}
