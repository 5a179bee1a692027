using Microsoft.Extensions.Logging;

namespace Comms.Hosting;

internal static partial class HostingLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "{Resource}: {Reason}")]
    public static partial void Skipped(ILogger logger, string resource, string reason);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "{Resource} waits for {Dependency} ({Kind})")]
    public static partial void Waiting(ILogger logger, string resource, string dependency, WaitKind kind);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "starting {Resource}")]
    public static partial void Starting(ILogger logger, string resource);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "{Resource} is healthy")]
    public static partial void Healthy(ILogger logger, string resource);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "{Resource} completed successfully")]
    public static partial void Completed(ILogger logger, string resource);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "{Resource} exited with code {ExitCode}")]
    public static partial void ExitedUnexpectedly(ILogger logger, string resource, int exitCode);

    [LoggerMessage(EventId = 214, Level = LogLevel.Information, Message = "{Resource} exited with code 0")]
    public static partial void Exited(ILogger logger, string resource);

    [LoggerMessage(EventId = 206, Level = LogLevel.Information, Message = "stopping {Resource}")]
    public static partial void Stopping(ILogger logger, string resource);

    [LoggerMessage(EventId = 207, Level = LogLevel.Information, Message = "{Resource} stopped")]
    public static partial void Stopped(ILogger logger, string resource);

    [LoggerMessage(EventId = 208, Level = LogLevel.Warning, Message = "stopping {Resource} failed: {Message}")]
    public static partial void StopFailed(ILogger logger, string resource, string message);

    [LoggerMessage(EventId = 209, Level = LogLevel.Error, Message = "startup failed: {Message}")]
    public static partial void StartupFailed(ILogger logger, string message);

    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "{Line}")]
    public static partial void Summary(ILogger logger, string line);

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "received {Signal}, stopping (press Ctrl+C again to kill everything)")]
    public static partial void SignalReceived(ILogger logger, string signal);

    [LoggerMessage(EventId = 212, Level = LogLevel.Information, Message = "all resources stopped")]
    public static partial void AllStopped(ILogger logger);

    [LoggerMessage(EventId = 213, Level = LogLevel.Information, Message = "startup cancelled")]
    public static partial void StartupCancelled(ILogger logger);
}
