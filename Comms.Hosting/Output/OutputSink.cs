namespace Comms.Hosting;

/// <summary>
/// The one place that writes to the console: lines are written whole (never interleaved) and prefixed with
/// their source, e.g. <c>[api] Now listening on ...</c> or <c>[apphost] starting postgres</c>.
/// </summary>
public sealed class OutputSink
{
    private readonly TextWriter _writer;
    private readonly Lock _lock = new();

    public OutputSink(TextWriter writer) => _writer = writer;

    /// <summary>A sink writing to <see cref="Console.Out"/>.</summary>
    public static OutputSink Console { get; } = new(System.Console.Out);

    /// <summary>Writes each line of <paramref name="text"/> as <c>[source] line</c>.</summary>
    public void WriteLine(string source, string text)
    {
        lock (_lock)
        {
            foreach (var line in text.Split('\n'))
            {
                _writer.Write('[');
                _writer.Write(source);
                _writer.Write("] ");
                _writer.WriteLine(line.TrimEnd('\r'));
            }

            _writer.Flush();
        }
    }

    /// <summary>Writes a line without prefix.</summary>
    public void WriteLine(string text)
    {
        lock (_lock)
        {
            _writer.WriteLine(text);
            _writer.Flush();
        }
    }
}
