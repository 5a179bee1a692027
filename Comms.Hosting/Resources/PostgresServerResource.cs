using Npgsql;

namespace Comms.Hosting;

/// <summary>A PostgreSQL server kept in <c>&lt;DataDirectory&gt;/&lt;name&gt;</c> (password in <c>&lt;DataDirectory&gt;/&lt;name&gt;.password</c>).</summary>
public sealed class PostgresServerResource : Resource, IResourceWithConnectionString
{
    private readonly List<PostgresDatabaseResource> _databases = [];
    private PostgresServer? _server;

    public PostgresServerResource(string name, int? port = null)
        : base(name) => RequestedPort = port;

    public int? RequestedPort { get; }

    /// <summary>Resolved port (0 before the application is prepared).</summary>
    public int Port { get; private set; }

    /// <summary>Requested data directory (the server may use a /var/tmp/comms fallback, see <see cref="PostgresServer.DataDirectory"/>).</summary>
    public string? DataDirectory { get; private set; }

    public IReadOnlyList<PostgresDatabaseResource> Databases => _databases;

    /// <summary>The running server, once started.</summary>
    public PostgresServer? Server => _server;

    public string? ConnectionString => ExternalConnectionString ?? (Password is null ? null : BuildConnectionString(includePassword: true));

    internal string? Password { get; private set; }

    protected internal override Task<int>? Exited => _server?.Exited;

    internal void AddDatabase(PostgresDatabaseResource database) => _databases.Add(database);

    protected internal override Task PrepareAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var dependents = context.GetDependents(this).ToList();
        if (dependents.Count > 0 && dependents.All(d => d.IsExternal))
        {
            Skip("not started: every resource using it is external");
            return Task.CompletedTask;
        }

        Port = context.ResolvePort(Name, RequestedPort);
        DataDirectory = Path.Combine(context.DataDirectory, Name);
        Password = PostgresSetup.ResolvePassword(CreateOptions(), context.Logger);
        return Task.CompletedTask;
    }

    protected internal override async Task StartAsync(ResourceContext context, CancellationToken cancellationToken) =>
        _server = await PostgresServer.StartAsync(CreateOptions() with { Password = Password }, context.Logger, cancellationToken);

    protected internal override async Task StopAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            await server.DisposeAsync();
        }
    }

    protected internal override string Describe() =>
        $"{BuildConnectionString(includePassword: false)}  (password in {PostgresSetup.PasswordFilePath(DataDirectory!, Name)}, data {_server?.DataDirectory ?? DataDirectory})";

    protected internal override Uri? GetEndpoint(string endpointName) =>
        endpointName is "tcp" or "postgres" && Port > 0 ? new Uri($"tcp://127.0.0.1:{Port}") : null;

    internal string BuildConnectionString(bool includePassword, string? database = null)
    {
        var builder = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = PostgresServer.Username };
        if (includePassword)
        {
            builder.Password = Password;
        }

        if (database is not null)
        {
            builder.Database = database;
        }

        return builder.ConnectionString;
    }

    private PostgresServerOptions CreateOptions() => new() { DataDirectory = DataDirectory!, Port = Port, Name = Name };
}
