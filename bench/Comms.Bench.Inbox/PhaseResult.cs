using System.Collections.Concurrent;
using System.Diagnostics;

namespace Comms.Bench.Inbox;

/// <summary>One open-loop phase of <see cref="LiveLatency"/>: per event its due time, request start, 202 and receipt.</summary>
internal sealed class PhaseResult(int count, double rate, ConcurrentDictionary<string, long> received)
{
    private int _failed;
    private string? _firstError;

    public long[] Due { get; } = new long[count];
    public long[] Start { get; } = new long[count];
    public long[] Accepted { get; } = new long[count];
    public string[] Tags { get; } = new string[count];

    public int AcceptedCount => Accepted.Count(a => a != 0);

    public int Received() => Enumerable.Range(0, count).Count(i => Accepted[i] != 0 && received.ContainsKey(Tags[i]));

    public void Fail(string error)
    {
        Interlocked.Increment(ref _failed);
        Interlocked.CompareExchange(ref _firstError, error, null);
    }

    public void Print()
    {
        var done = Enumerable.Range(0, count).Where(i => Accepted[i] != 0).ToList();
        var arrived = done.Where(i => received.ContainsKey(Tags[i])).ToList();
        double FromAccepted(int i) => Stats.Ms(Accepted[i], received[Tags[i]]);
        double FromStart(int i) => Stats.Ms(Start[i], received[Tags[i]]);
        var span = Stats.Ms(Start[0], Start[count - 1]) / 1000;
        Console.WriteLine($"  sent {count} events in {span:F1} s ({(count - 1) / span:F0}/s, schedule {rate:F0}/s; request start behind schedule: " +
                          $"p99 {Stats.Percentile(Enumerable.Range(0, count).Select(i => Stats.Ms(Due[i], Start[i])).Order().ToList(), 99):F1} ms)");
        Console.WriteLine($"  accepted (202) {done.Count}, failed {_failed}{(_firstError is null ? "" : $" (first: {_firstError})")}; " +
                          $"items received by the clients {arrived.Count} of {done.Count}{(arrived.Count == done.Count ? " — all" : " — MISSING " + (done.Count - arrived.Count))}");
        Console.WriteLine($"  request → 202:               {Stats.Summary(done.Select(i => Stats.Ms(Start[i], Accepted[i])))}");
        Console.WriteLine($"  202 → item on the client:    {Stats.Summary(arrived.Select(FromAccepted))}");
        Console.WriteLine($"  request → item on the client: {Stats.Summary(arrived.Select(FromStart))}");
        var window = (long)(Math.Min(10, count / rate / 3) * Stopwatch.Frequency);
        var head = arrived.Where(i => Due[i] - Due[0] < window).Select(FromAccepted).Order().ToList();
        var tail = arrived.Where(i => Due[count - 1] - Due[i] < window).Select(FromAccepted).Order().ToList();
        var last = arrived.Count == 0 ? 0 : arrived.Max(i => received[Tags[i]]);
        Console.WriteLine($"  backlog: 202 → item p50 {Stats.Percentile(head, 50):F1} ms (p99 {Stats.Percentile(head, 99):F1}) in the first {window / Stopwatch.Frequency} s, " +
                          $"p50 {Stats.Percentile(tail, 50):F1} ms (p99 {Stats.Percentile(tail, 99):F1}) in the last {window / Stopwatch.Frequency} s; " +
                          $"last item {Stats.Ms(done.Max(i => Accepted[i]), last):F0} ms after the last 202");
    }
}
