using Microsoft.Extensions.Logging;

namespace Comms.Hosting;

internal static partial class ProcessLog
{
    /// <summary>One line of a child's stdout/stderr; the logger category carries the resource name.</summary>
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Line}")]
    public static partial void ChildOutput(ILogger logger, string line);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Program} (pid {Pid}) did not stop within {Timeout}; killed it")]
    public static partial void Killed(ILogger logger, string program, int pid, TimeSpan timeout);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "{Program} started (pid {Pid}), listening on 127.0.0.1:{Port}")]
    public static partial void Ready(ILogger logger, string program, int pid, int port);

    /// <summary>Forwards child output lines to the logger.</summary>
    public static Action<string> Forward(ILogger logger) => line => ChildOutput(logger, line);
}
