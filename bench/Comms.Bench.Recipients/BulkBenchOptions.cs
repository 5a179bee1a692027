using System.Globalization;

namespace Comms.Bench.Recipients;

internal sealed record BulkBenchOptions(
    string Api, string Key, string? Database, string Tenant, int Recipients, int Batch, int Concurrency, string Prefix, string Label, string? Save)
{
    public static BulkBenchOptions Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var index = Array.IndexOf(args, "--" + name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
        }

        int Int(string name, string fallback) => int.Parse(Value(name, fallback), CultureInfo.InvariantCulture);
        return new BulkBenchOptions(
            Value("api", "http://127.0.0.1:5080").TrimEnd('/'),
            Value("key", "demo-api-key"),
            Value("db", "") is { Length: > 0 } db ? db : null,
            Value("tenant", "demo"),
            Int("recipients", "200000"),
            Int("batch", "1000"),
            Int("concurrency", "4"),
            Value("prefix", "bulk"),
            Value("label", "bulk sync"),
            Value("save", "") is { Length: > 0 } save ? save : null);
    }

    /// <summary>Writes the measured rate to <c>--save FILE</c> (the script computes the ratio from it).</summary>
    public async Task SaveAsync(double rate)
    {
        if (Save is not null)
        {
            await File.WriteAllTextAsync(Save, rate.ToString("F0", CultureInfo.InvariantCulture));
        }
    }

    public string Db => Database ?? throw new InvalidOperationException("--db CONNECTION-STRING is required");
}

/// <summary>
/// The synthetic recipients both paths store: the same values for the same number, already normalised as the API
/// stores them (so the COPY baseline writes exactly what the bulk sync writes), only the external id prefix differs.
/// </summary>
internal static class Rows
{
    private static readonly string[] Locales = ["en-US", "de-DE", "fr-FR", "en-GB", "es-ES"];
    private static readonly string[] Zones = ["Europe/Berlin", "America/New_York", "Europe/London", "Asia/Tokyo", "UTC"];

    public static string ExternalId(string prefix, int n) => $"{prefix}-{n:D7}";

    public static string Name(int n) => $"Person {n}";

    public static string Email(int n) => $"person.{n}@example.test";

    public static string Phone(int n) => $"+49151{n:D8}";

    public static string Locale(int n) => Locales[n % Locales.Length];

    public static string Zone(int n) => Zones[n % Zones.Length];

    public static string[] Roles(int n) => n % 10 == 0 ? ["member", "admin"] : ["member"];

    /// <summary>The attributes as the client sends them (and, with jsonb's own spacing, as they are stored).</summary>
    public static string Attributes(int n) => string.Create(CultureInfo.InvariantCulture, $$"""{"plan":"{{(n % 3 == 0 ? "pro" : "free")}}","seats":{{n % 50}}}""");
}
