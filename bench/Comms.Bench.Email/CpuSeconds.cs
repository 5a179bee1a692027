using System.Diagnostics;
using System.Globalization;

namespace Comms.Bench.Email;

/// <summary>CPU seconds (user + system) of processes, read from /proc.</summary>
internal static class CpuSeconds
{
    private static readonly double Tick = 100.0; // USER_HZ on Linux

    /// <summary>A process, the children it waited for, and its live children.</summary>
    public static double OfTree(int pid)
    {
        var total = Of(pid, withWaitedChildren: true);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var child) && Fields(child) is { } f && f.Length > 1 && f[1] == pid.ToString(CultureInfo.InvariantCulture))
            {
                total += Of(child, withWaitedChildren: false);
            }
        }

        return total;
    }

    /// <summary>This process's own CPU seconds.</summary>
    public static double OfSelf() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    private static double Of(int pid, bool withWaitedChildren)
    {
        // After the ")" of the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
        if (Fields(pid) is not { } f || f.Length < 15)
        {
            return 0;
        }

        double Field(int i) => double.Parse(f[i], CultureInfo.InvariantCulture) / Tick;
        return Field(11) + Field(12) + (withWaitedChildren ? Field(13) + Field(14) : 0);
    }

    private static string[]? Fields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
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
