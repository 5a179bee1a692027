using System.Globalization;

namespace Comms.AppHost.Tests;

/// <summary>Reads the process table from /proc (Linux).</summary>
internal static class ProcessTree
{
    /// <summary>
    /// Every process of a running app host: the app host, the orchestrator (DCP detaches from the app host, but
    /// names it in <c>--monitor</c>), and everything below them (PostgreSQL, Redis, MailDev, the services, the dashboard).
    /// </summary>
    public static IReadOnlyList<int> OfAppHost(int appHost)
    {
        var table = Snapshot();
        var roots = table.Where(p => p.Key == appHost || p.Value.CommandLine.Contains($"--monitor {appHost}", StringComparison.Ordinal))
            .Select(p => p.Key).ToList();
        var result = new List<int>(roots);
        var queue = new Queue<int>(roots);
        while (queue.Count > 0)
        {
            var parent = queue.Dequeue();
            foreach (var (pid, process) in table)
            {
                if (process.Parent == parent && !result.Contains(pid))
                {
                    result.Add(pid);
                    queue.Enqueue(pid);
                }
            }
        }

        return result;
    }

    public static string Describe(int pid) => Snapshot().TryGetValue(pid, out var process) ? $"{pid} {process.CommandLine}" : $"{pid} (gone)";

    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static Dictionary<int, (int Parent, string CommandLine)> Snapshot()
    {
        var table = new Dictionary<int, (int, string)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so split after the last ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim();
                table[pid] = (parent, commandLine);
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        return table;
    }
}
