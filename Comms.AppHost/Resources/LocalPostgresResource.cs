namespace Comms.AppHost.Resources;

/// <summary>
/// PostgreSQL from the machine's own server binaries, as an executable resource (there is no container engine
/// here). Its connection string is what <c>AddPostgres</c> would give, so <c>WithReference</c> works the same.
/// </summary>
public sealed class LocalPostgresResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";

    private EndpointReference? _endpoint;

    public ParameterResource Password { get; } = password;

    public EndpointReference PrimaryEndpoint => _endpoint ??= new(this, EndpointName);

    /// <summary>The databases created on the server once it is healthy, by resource name.</summary>
    public Dictionary<string, string> Databases { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host=127.0.0.1;Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username=postgres;Password={Password}");
}

/// <summary>A database on a <see cref="LocalPostgresResource"/> (like Aspire's <c>PostgresDatabaseResource</c>).</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresResource>, IResourceWithConnectionString
{
    public LocalPostgresResource Parent { get; } = parent;

    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}
