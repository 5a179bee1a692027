using System.Globalization;

namespace Comms.Bench.Email;

internal sealed record EmailBenchOptions(string? Dispatcher, string? Sink, int Messages, int Connections, int RequestsPerSecond, int Seconds, int BatchSize, int Loops, int WarmUp, int Parallel, int? SinkPid, int[] Rounds, bool ProviderOnly, bool PostgresOnly)
{
    public static EmailBenchOptions Parse(string[] args)
    {
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        int Number(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

        return new EmailBenchOptions(
            Value("--dispatcher"), Value("--sink"), Number("--messages", 0), Number("--connections", 4), Number("--rps", 100),
            Number("--seconds", 10), Number("--batch", 10_000), Number("--loops", 1),
            Number("--warmup", 10_000), Number("--parallel", 0), Value("--sink-pid") is { } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : null,
            [.. (Value("--rounds") ?? "1,2,3").Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture))], args.Contains("--provider-only"), args.Contains("--postgres-only"));
    }
}
