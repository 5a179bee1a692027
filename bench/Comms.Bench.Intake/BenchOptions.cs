namespace Comms.Bench.Intake;

internal sealed record BenchOptions(
    string Api, string Key, string? Database, int Concurrency, int Seconds, int Warmup, string EventName, string Recipient, string? Mail = null,
    string? Pids = null, bool Profile = false, double Rate = 0, int Users = 1)
{
    /// <summary>The recipient of the <paramref name="n"/>th event: one user, or <see cref="Users"/> users in turn (<c>--users</c>).</summary>
    public string RecipientOf(long n) => Users <= 1 ? Recipient : $"{Recipient}-{n % Users}";

    public static BenchOptions Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var index = Array.IndexOf(args, "--" + name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
        }

        return new BenchOptions(
            Value("api", "http://127.0.0.1:5080").TrimEnd('/'),
            Value("key", "demo-api-key"),
            Value("db", "") is { Length: > 0 } db ? db : null,
            int.Parse(Value("concurrency", "64"), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(Value("seconds", "30"), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(Value("warmup", "5"), System.Globalization.CultureInfo.InvariantCulture),
            Value("event", BenchSetup.EventName),
            Value("recipient", BenchSetup.Recipient),
            Value("mail", "") is { Length: > 0 } mail ? mail.TrimEnd('/') : null,
            Value("pids", "") is { Length: > 0 } pids ? pids : null,
            args.Contains("--profile"),
            double.Parse(Value("rate", "0"), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(Value("users", "1"), System.Globalization.CultureInfo.InvariantCulture));
    }
}

internal static class Percentiles
{
    public static double Of(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
