using Microsoft.Extensions.Logging;
using Npgsql;

namespace Comms.Hosting;

/// <summary>A database on a <see cref="PostgresServerResource"/>; created (if missing) when started.</summary>
public sealed partial class PostgresDatabaseResource : Resource, IResourceWithConnectionString
{
    public PostgresDatabaseResource(string name, string databaseName, PostgresServerResource parent)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(parent);
        DatabaseName = databaseName;
        Parent = parent;
        AddWait(new ResourceWait(parent, WaitKind.Healthy));
        parent.AddDatabase(this);
    }

    public string DatabaseName { get; }

    public PostgresServerResource Parent { get; }

    public string? ConnectionString =>
        ExternalConnectionString
        ?? (Parent.IsExternal && Parent.ConnectionString is { } external
            ? new NpgsqlConnectionStringBuilder(external) { Database = DatabaseName }.ConnectionString
            : Parent.Password is null ? null : Parent.BuildConnectionString(includePassword: true, DatabaseName));

    protected internal override async Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var server = Parent.ConnectionString
            ?? throw new DistributedApplicationException($"{Name}: the connection string of {Parent.Name} is not known.");
        if (await PostgresDatabase.CreateIfMissingAsync(server, DatabaseName, cancellationToken))
        {
            LogCreated(context.Logger, DatabaseName, Parent.Name);
        }
    }

    protected internal override string Describe() =>
        Parent.IsExternal ? $"database {DatabaseName} on external {Parent.Name}" : Parent.BuildConnectionString(includePassword: false, DatabaseName);

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "created database {Database} on {Server}")]
    private static partial void LogCreated(ILogger logger, string database, string server);
}
