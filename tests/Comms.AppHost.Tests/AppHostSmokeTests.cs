using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using Comms.Hosting;

namespace Comms.AppHost.Tests;

/// <summary>
/// Runs the real app host as `./run.sh` would (its own ports and data folder), checks that every
/// resource answers, that the walking skeleton works through it, and that a stop leaves no child behind.
/// </summary>
public sealed class AppHostSmokeTests : IDisposable
{
    private static readonly TimeSpan StartupDeadline = TimeSpan.FromSeconds(180);
    private readonly string _dataDirectory = Path.Combine("/var/tmp", "comms-apphost-test-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task The_app_host_starts_everything_serves_the_skeleton_and_stops_without_orphans()
    {
        var ports = new Dictionary<string, int>
        {
            ["postgres"] = PortAllocator.GetFreeTcpPort(), ["redis"] = PortAllocator.GetFreeTcpPort(),
            ["mail_smtp"] = PortAllocator.GetFreeTcpPort(), ["mail_http"] = PortAllocator.GetFreeTcpPort(),
            ["api"] = PortAllocator.GetFreeTcpPort(), ["web"] = PortAllocator.GetFreeTcpPort(), ["dispatcher"] = PortAllocator.GetFreeTcpPort(),
        };
        var root = RepositoryRoot.Find();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(root, "Comms.AppHost/bin/Debug/net10.0/Comms.AppHost.dll")])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, port) in ports)
        {
            start.Environment[$"Comms__AppHost__Ports__{name}"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        start.Environment["Comms__AppHost__DataDirectory"] = _dataDirectory;
        start.Environment.Remove("ConnectionStrings__commsdb");
        start.Environment.Remove("ConnectionStrings__redis");

        using var host = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var running = new TaskCompletionSource();
        host.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (e.Data.Contains("Comms is running. Press Ctrl+C to stop.", StringComparison.Ordinal))
            {
                running.TrySetResult();
            }
        };
        host.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();

        try
        {
            await running.Task.WaitAsync(StartupDeadline);
        }
        catch (TimeoutException)
        {
            Assert.Fail("The app host did not report it was running:\n" + string.Join('\n', output.TakeLast(60)));
        }

        // Every resource answers.
        foreach (var service in new[] { "api", "web", "dispatcher" })
        {
            var health = await _http.GetAsync($"http://127.0.0.1:{ports[service]}/health");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"http://127.0.0.1:{ports["mail_http"]}/api/healthz")).StatusCode);

        // The README's "Try it": the seeded demo.welcome reaches MailDev.
        using var post = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{ports["api"]}/v1/events")
        {
            Content = JsonContent.Create(new
            {
                name = "demo.welcome", recipients = new[] { "alice" }, causeRef = "smoke:" + Guid.NewGuid(), category = "account",
                payload = new { name = "Alice" },
            }),
        };
        post.Headers.Authorization = new("Bearer", "demo-api-key");
        Assert.Equal(HttpStatusCode.Accepted, (await _http.SendAsync(post)).StatusCode);
        await PollAsync(async () =>
        {
            var emails = await _http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{ports["mail_http"]}/api/email");
            return emails.EnumerateArray().Any(e => e.GetProperty("subject").GetString() == "Welcome to Comms, Alice!");
        }, "the demo email in MailDev");

        // Stop as Ctrl+C does (SIGTERM where this test runner's shell made SIGINT ignored), then nothing is left.
        var children = ProcessTree.DescendantsOf(host.Id);
        Assert.True(children.Count >= 6, $"expected postgres, redis, maildev and three services, found {children.Count} children");
        var signal = ProcessTree.SigIntIgnored() ? 15 : 2;
        Assert.Equal(0, Kill(host.Id, signal));
        Assert.True(host.WaitForExit(TimeSpan.FromSeconds(90)), "the app host did not stop within 90 s");
        host.WaitForExit(); // drains the redirected output
        Assert.Equal(0, host.ExitCode);
        await PollAsync(() => Task.FromResult(children.All(pid => !ProcessTree.IsAlive(pid))), "every child process to end");
        Assert.Contains(output, line => line.Contains("all resources stopped", StringComparison.Ordinal));
    }

    private static async Task PollAsync(Func<Task<bool>> probe, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await probe())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public void Dispose()
    {
        _http.Dispose();
        try
        {
            if (Directory.Exists(_dataDirectory))
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort.
        }
    }
}
