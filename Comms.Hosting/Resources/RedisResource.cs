namespace Comms.Hosting;

/// <summary>A redis-server (no persistence); working directory <c>&lt;DataDirectory&gt;/&lt;name&gt;</c>.</summary>
public sealed class RedisResource : Resource, IResourceWithConnectionString
{
    private RedisServer? _server;

    public RedisResource(string name, int? port = null)
        : base(name) => RequestedPort = port;

    public int? RequestedPort { get; }

    public int Port { get; private set; }

    public RedisServer? Server => _server;

    public string? ConnectionString => ExternalConnectionString ?? (Port > 0 ? $"127.0.0.1:{Port}" : null);

    protected internal override Task<int>? Exited => _server?.Exited;

    protected internal override Task PrepareAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        Port = context.ResolvePort(Name, RequestedPort);
        return Task.CompletedTask;
    }

    protected internal override async Task StartAsync(ResourceContext context, CancellationToken cancellationToken) =>
        _server = await RedisServer.StartAsync(
            new RedisServerOptions { Port = Port, DataDirectory = Path.Combine(context.DataDirectory, Name) }, context.Logger, cancellationToken);

    protected internal override async Task StopAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            await server.DisposeAsync();
        }
    }

    protected internal override string Describe() => ConnectionString ?? "not started";

    protected internal override Uri? GetEndpoint(string endpointName) =>
        endpointName is "tcp" or "redis" && Port > 0 ? new Uri($"tcp://127.0.0.1:{Port}") : null;
}
