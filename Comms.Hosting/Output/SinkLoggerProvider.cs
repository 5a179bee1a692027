using Microsoft.Extensions.Logging;

namespace Comms.Hosting;

/// <summary>
/// Logger provider that writes through an <see cref="OutputSink"/>, using the category name as the prefix
/// (the app model uses the resource name, or <c>apphost</c>). Warnings and errors get a <c>warn:</c>/<c>fail:</c> tag.
/// </summary>
public sealed class SinkLoggerProvider : ILoggerProvider
{
    private readonly OutputSink _sink;
    private readonly LogLevel _minimumLevel;

    public SinkLoggerProvider(OutputSink sink, LogLevel minimumLevel = LogLevel.Information)
    {
        _sink = sink;
        _minimumLevel = minimumLevel;
    }

    public ILogger CreateLogger(string categoryName) => new SinkLogger(_sink, categoryName, _minimumLevel);

    public void Dispose()
    {
    }

    private sealed class SinkLogger(OutputSink sink, string source, LogLevel minimumLevel) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= minimumLevel;

        public void Log<TState>(
            LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var tag = logLevel switch
            {
                LogLevel.Warning => "warn: ",
                LogLevel.Error or LogLevel.Critical => "fail: ",
                LogLevel.Debug or LogLevel.Trace => "dbug: ",
                _ => string.Empty,
            };
            var message = formatter(state, exception);
            if (exception is not null && logLevel >= LogLevel.Error)
            {
                message += Environment.NewLine + exception;
            }

            sink.WriteLine(source, tag + message);
        }
    }
}
