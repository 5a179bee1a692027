using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Comms.Bench.Email;

/// <summary>
/// A minimal Kestrel stand-in for SendGrid's <c>POST /v3/mail/send</c>: admits at most <c>rps</c> requests a second (each
/// request waits for its 1/rps slot, as an account's rate would make a client wait), answers 202 with an
/// <c>X-Message-Id</c>, and counts requests and personalizations per second.
/// </summary>
internal sealed class SendGridFake : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly long _interval;
    private readonly Lock _gate = new();
    private long _nextSlot;
    private long _started = Stopwatch.GetTimestamp();

    public ConcurrentDictionary<long, (int Requests, int Recipients)> PerSecond { get; } = new();

    private SendGridFake(WebApplication app, int rps)
    {
        _app = app;
        _interval = Stopwatch.Frequency / rps;
        app.MapPost("/v3/mail/send", HandleAsync);
    }

    public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    public static async Task<SendGridFake> StartAsync(int rps)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var fake = new SendGridFake(builder.Build(), rps);
        await fake._app.StartAsync();
        return fake;
    }

    public void Reset()
    {
        PerSecond.Clear();
        _started = Stopwatch.GetTimestamp();
    }

    private async Task HandleAsync(HttpContext context)
    {
        long slot;
        lock (_gate)
        {
            slot = Math.Max(Stopwatch.GetTimestamp(), _nextSlot);
            _nextSlot = slot + _interval;
        }

        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var recipients = body.RootElement.GetProperty("personalizations").GetArrayLength();
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), slot);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        var second = (Stopwatch.GetTimestamp() - _started) / Stopwatch.Frequency;
        PerSecond.AddOrUpdate(second, (1, recipients), (_, c) => (c.Requests + 1, c.Recipients + recipients));
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.Headers["X-Message-Id"] = Guid.NewGuid().ToString("N")[..22];
    }

    /// <summary>Requests and recipients per second over the full seconds between the first and the last busy second.</summary>
    public string Describe()
    {
        var seconds = PerSecond.Keys.Order().ToList();
        if (seconds.Count < 3)
        {
            return "too short to judge";
        }

        var inner = seconds.Skip(1).SkipLast(1).Select(s => PerSecond.GetValueOrDefault(s)).ToList(); // whole seconds only
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"fake SendGrid over {inner.Count} whole seconds: {inner.Average(c => c.Requests):F1} requests/s (max {inner.Max(c => c.Requests)}), {inner.Average(c => c.Recipients):N0} recipients/s");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
