using System.Globalization;

namespace Comms.Bench.Broadcast;

internal sealed record BroadcastBenchOptions(
    string Api, string? Database, string Tenant, int Recipients, int? DispatcherPid, Guid? Broadcast, string Email, string Password, string? Save,
    bool SharedBody = false, int? PostgresPid = null, int WarmUp = 0)
{
    public static BroadcastBenchOptions Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var index = Array.IndexOf(args, "--" + name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
        }

        return new BroadcastBenchOptions(
            Value("api", "http://127.0.0.1:5080").TrimEnd('/'),
            Value("db", "") is { Length: > 0 } db ? db : null,
            Value("tenant", "demo"),
            int.Parse(Value("recipients", "1000000"), CultureInfo.InvariantCulture),
            Value("pid", "") is { Length: > 0 } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : null,
            Value("broadcast", "") is { Length: > 0 } id ? Guid.Parse(id) : null,
            Value("email", "ops@example.test"),
            Value("password", "Operator-Passw0rd!"),
            Value("save", "") is { Length: > 0 } save ? save : null,
            SharedBody: Array.IndexOf(args, "--shared-body") >= 0,
            PostgresPid: Value("pg-pid", "") is { Length: > 0 } pg ? int.Parse(pg, CultureInfo.InvariantCulture) : null,
            WarmUp: int.Parse(Value("warm-up", "0"), CultureInfo.InvariantCulture));
    }

    public string Db => Database ?? throw new InvalidOperationException("--db CONNECTION-STRING is required");

    /// <summary>Appends <c>name=value</c> to <c>--save FILE</c> (the script reads the rates and the broadcast id from it).</summary>
    public async Task SaveAsync(string name, string value)
    {
        if (Save is not null)
        {
            await File.AppendAllTextAsync(Save, $"{name}={value}\n");
        }
    }
}
