using Microsoft.Extensions.Logging;

namespace Comms.Hosting;

internal static partial class PostgresLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Generated a password for the new cluster and stored it in {File}")]
    public static partial void PasswordStored(ILogger logger, string file);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information,
        Message = "Note: the postgres user cannot reach '{Requested}' (a parent folder is not searchable); using '{Fallback}' instead")]
    public static partial void UsingFallbackDirectory(ILogger logger, string requested, string fallback);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Initializing a new PostgreSQL cluster in {DataDirectory}")]
    public static partial void InitializingCluster(ILogger logger, string dataDirectory);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Removing stale {PidFile} (pid {Pid} is not running)")]
    public static partial void RemovingStalePidFile(ILogger logger, string pidFile, string pid);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Created database {Database}")]
    public static partial void DatabaseCreated(ILogger logger, string database);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Deleted ephemeral data directory {DataDirectory}")]
    public static partial void DataDirectoryDeleted(ILogger logger, string dataDirectory);
}
