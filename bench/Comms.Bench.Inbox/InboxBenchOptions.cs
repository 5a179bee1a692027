using System.Diagnostics;
using System.Globalization;
using Comms.Core.Auth;

namespace Comms.Bench.Inbox;

internal sealed record InboxBenchOptions(
    string Api, string Web, string Key, string? Database, string Tenant, string SigningSecret,
    int Users, double Rate, int Seconds, int Requests, int Concurrency, bool LiveUsers)
{
    /// <summary>The demo tenant's development signing key id (<c>DevelopmentSeed.SigningKeyId</c>).</summary>
    public const string SigningKeyId = "demo-dev";

    public static InboxBenchOptions Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var index = Array.IndexOf(args, "--" + name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
        }

        int Int(string name, string fallback) => int.Parse(Value(name, fallback), CultureInfo.InvariantCulture);
        return new InboxBenchOptions(
            Value("api", "http://127.0.0.1:5080").TrimEnd('/'),
            Value("web", "http://127.0.0.1:5081").TrimEnd('/'),
            Value("key", "demo-api-key"),
            Value("db", "") is { Length: > 0 } db ? db : null,
            Value("tenant", "demo"),
            // Comms:Seed:UserTokenSigningKey of Comms.Api's appsettings.Development.json.
            Value("secret", "demo-dev-user-token-signing-secret-change-me"),
            Int("users", "2000"),
            double.Parse(Value("rate", "200"), CultureInfo.InvariantCulture),
            Int("seconds", "60"),
            Int("requests", "2000"),
            Int("concurrency", "8"),
            Value("who", "inbox") == "live");
    }

    /// <summary>A user token as a host product mints one (HS256 with the tenant's key, iss/aud defaults, 2 h).</summary>
    public string TokenFor(string externalId) =>
        UserTokens.IssueHs256(SigningSecret, SigningKeyId, Tenant, externalId, TimeSpan.FromHours(2), TimeProvider.System);

    /// <summary>A random user of the filled inbox (<c>inbox-000001</c>…), or of the live benchmark with <c>--who live</c>.</summary>
    public string RandomUser()
    {
        var n = Random.Shared.Next(1, Users + 1);
        return LiveUsers ? LiveSetup.UserId(n) : $"inbox-{n:D6}";
    }

    public string Db => Database ?? throw new InvalidOperationException("--db CONNECTION-STRING is required");
}

internal static class Stats
{
    public static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    public static string Summary(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0
            ? "no samples"
            : string.Create(CultureInfo.InvariantCulture,
                $"p50 {Percentile(sorted, 50):F1} ms, p95 {Percentile(sorted, 95):F1} ms, p99 {Percentile(sorted, 99):F1} ms, max {sorted[^1]:F1} ms (n={sorted.Count})");
    }

    public static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}
