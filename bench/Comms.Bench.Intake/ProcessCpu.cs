using System.Globalization;

namespace Comms.Bench.Intake;

/// <summary>
/// CPU seconds (user + system, from <c>/proc/PID/stat</c>) the named processes used over a measurement. A name given
/// as <c>postgres:PID</c> counts the postmaster and every child it has (the backends), including children that ended.
/// </summary>
internal sealed class ProcessCpu
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly List<(string Name, int Pid)> _processes;
    private readonly Dictionary<string, double> _before;

    private ProcessCpu(List<(string Name, int Pid)> processes)
    {
        _processes = processes;
        _before = Snapshot();
    }

    /// <summary><paramref name="spec"/>: <c>dispatcher:123,api:456,postgres:789</c> (a name may repeat: summed).</summary>
    public static ProcessCpu Start(string spec) =>
        new(spec.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split(':'))
            .Where(p => p.Length == 2 && int.TryParse(p[1], out _))
            .Select(p => (p[0], int.Parse(p[1], CultureInfo.InvariantCulture))).ToList());

    public void Print(long events, double seconds)
    {
        var after = Snapshot();
        var parts = after.Select(a => (a.Key, Seconds: a.Value - _before.GetValueOrDefault(a.Key))).ToList();
        Console.WriteLine($"  CPU over the drain ({seconds:F1} s): " + string.Join(", ", parts.Select(p =>
            string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Seconds:F1} s = {p.Seconds * 1000 / Math.Max(events, 1):F3} ms/event ({p.Seconds / seconds:F2} cores)"))));
        var total = parts.Sum(p => p.Seconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  CPU total {total:F1} s = {total * 1000 / Math.Max(events, 1):F3} ms/event ({total / seconds:F2} of {Environment.ProcessorCount} cores); load average {File.ReadAllText("/proc/loadavg").Trim()}"));
    }

    private Dictionary<string, double> Snapshot()
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, pid) in _processes)
        {
            var seconds = Stat(pid, withChildren: name == "postgres");
            if (name == "postgres")
            {
                foreach (var child in Children(pid))
                {
                    seconds += Stat(child, withChildren: false);
                }
            }

            result[name] = result.GetValueOrDefault(name) + seconds;
        }

        return result;
    }

    private static IEnumerable<int> Children(int parent)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && Fields(pid) is { } f && f[3] == parent.ToString(CultureInfo.InvariantCulture))
            {
                yield return pid;
            }
        }
    }

    /// <summary>utime + stime (+ the ended children's cutime + cstime), in seconds.</summary>
    private static double Stat(int pid, bool withChildren)
    {
        if (Fields(pid) is not { } f)
        {
            return 0;
        }

        double Field(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
        var ticks = Field(13) + Field(14) + (withChildren ? Field(15) + Field(16) : 0);
        return ticks / TicksPerSecond;
    }

    /// <summary>The fields of /proc/PID/stat (field 1 is the command; fields after it are shifted to their man-page index - 1).</summary>
    private static string[]? Fields(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var close = text.LastIndexOf(')');
            var rest = text[(close + 2)..].Split(' ');
            return [text[..text.IndexOf(' ')], text[(text.IndexOf('(') + 1)..close], .. rest];
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
