using Comms.TestServers;
using Xunit.Abstractions;

namespace Comms.ReliabilityTests.Faults;

/// <summary>
/// The figures the fault suite measures, written to the test output and to <c>TestResults/reliability-figures.txt</c>
/// at the repository root (one section per test, replaced on each run), so they can go into the README.
/// </summary>
public static class ReliabilityFigures
{
    private static readonly Lock Gate = new();

    public static void Write(ITestOutputHelper output, string section, IEnumerable<string> lines)
    {
        var block = lines.ToList();
        foreach (var line in block)
        {
            output.WriteLine(line);
        }

        var root = Path.GetDirectoryName(MailDevServer.RepositoryFile("Comms.sln"))!;
        var file = Path.Combine(root, "TestResults", "reliability-figures.txt");
        lock (Gate)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var sections = ReadSections(file);
            sections[section] = [$"## {section} ({DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC)", .. block, ""];
            File.WriteAllLines(file, sections.Values.SelectMany(s => s));
        }
    }

    private static SortedDictionary<string, List<string>> ReadSections(string file)
    {
        var sections = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        if (!File.Exists(file))
        {
            return sections;
        }

        List<string>? current = null;
        foreach (var line in File.ReadAllLines(file))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                var name = line[3..];
                var stamp = name.LastIndexOf(" (", StringComparison.Ordinal);
                current = [];
                sections[stamp > 0 ? name[..stamp] : name] = current;
            }

            current?.Add(line);
        }

        return sections;
    }
}
