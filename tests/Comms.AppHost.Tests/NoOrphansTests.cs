using System.Runtime.InteropServices;

namespace Comms.AppHost.Tests;

/// <summary>
/// However the app host ends — SIGTERM (what Ctrl+C and service managers send) or a <c>kill -9</c> that gives
/// it no chance to clean up — nothing it started outlives it by more than 15 seconds, and the next start
/// on the same ports and data comes up cleanly.
/// </summary>
public sealed partial class NoOrphansTests : IDisposable
{
    private static readonly TimeSpan OrphanDeadline = TimeSpan.FromSeconds(15);
    private readonly string _data = Path.Combine("/var/tmp", "comms-orphans-test-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task After_kill_9_and_after_SIGTERM_no_process_of_the_app_is_left_and_it_restarts_on_the_same_ports()
    {
        // Fixed (free) ports for every resource, so that the second start proves they were released.
        var ports = AppHostProcess.FreePorts("postgres", "redis", "mail_smtp", "mail_http", "api", "web", "dispatcher");
        var dashboard = AppHostProcess.FreePorts("dashboard", "otlp", "resources");
        string[] arguments =
        [
            $"--Comms:AppHost:DataDirectory={_data}",
            .. ports.Select(p => $"--Comms:AppHost:Ports:{p.Key}={AppHostProcess.Invariant(p.Value)}"),
        ];

        using (var first = await AppHostProcess.StartAsync(arguments, dashboard))
        {
            var processes = ProcessTree.OfAppHost(first.Pid);
            var described = string.Join('\n', processes.Select(ProcessTree.Describe));
            foreach (var expected in new[] { "bin/postgres", "redis-server", "maildev.js", "Comms.Api", "Comms.Web", "Aspire.Dashboard" })
            {
                Assert.True(described.Contains(expected, StringComparison.Ordinal), $"no {expected} among the app's processes:\n{described}");
            }

            Assert.Equal(2, processes.Select(ProcessTree.Describe).Count(p => p.Contains("bin/Debug/net10.0/Comms.Dispatcher", StringComparison.Ordinal)));

            Assert.Equal(0, Kill(first.Pid, 9));
            await AssertAllEndAsync(processes, "after kill -9 of the app host");
        }

        using var second = await AppHostProcess.StartAsync(arguments, dashboard);
        var again = ProcessTree.OfAppHost(second.Pid);
        Assert.Equal(0, Kill(second.Pid, 15));
        Assert.True(second.Process.WaitForExit(OrphanDeadline), "the app host did not stop on SIGTERM:\n" + second.Output);
        await AssertAllEndAsync(again, "after SIGTERM to the app host");
    }

    private static async Task AssertAllEndAsync(IReadOnlyList<int> processes, string when)
    {
        var deadline = DateTime.UtcNow + OrphanDeadline;
        while (processes.Any(ProcessTree.IsAlive))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Processes still alive 15 s {when}:\n" +
                            string.Join('\n', processes.Where(ProcessTree.IsAlive).Select(ProcessTree.Describe)));
            }

            await Task.Delay(200);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort.
        }
    }
}
