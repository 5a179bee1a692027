using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Comms.Hosting.Tests;

/// <summary>Routes hosting logs (including child output lines) to the xunit test output.</summary>
public sealed class TestOutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
{
    /// <summary>Every message as "[category] text", in order.</summary>
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new TestOutputLogger(output, categoryName, Lines);

    public void Dispose()
    {
    }

    public static ILoggerFactory CreateFactory(ITestOutputHelper output) =>
        LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Debug).AddProvider(new TestOutputLoggerProvider(output)));

    private sealed class TestOutputLogger(ITestOutputHelper output, string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"[{category}] {formatter(state, exception)}";
            lines.Enqueue(line);
            try
            {
                output.WriteLine(exception is null ? line : $"{line} {exception}");
            }
            catch (InvalidOperationException)
            {
                // Output arriving after the test finished.
            }
        }
    }
}
