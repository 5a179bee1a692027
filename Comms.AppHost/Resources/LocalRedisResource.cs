namespace Comms.AppHost.Resources;

/// <summary>
/// <c>redis-server</c> from the machine's packages as an executable resource, in the foreground, without
/// persistence (Redis holds nothing here that cannot be lost). Its connection string is what <c>AddRedis</c> gives.
/// </summary>
public sealed class LocalRedisResource(string name, string workingDirectory)
    : ExecutableResource(name, "redis-server", workingDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";

    private EndpointReference? _endpoint;

    public EndpointReference PrimaryEndpoint => _endpoint ??= new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"127.0.0.1:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}

public static class LocalRedisExtensions
{
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(
        this IDistributedApplicationBuilder builder, string name, string dataDirectory, int port)
    {
        var directory = Path.Combine(dataDirectory, "redis");
        Directory.CreateDirectory(directory);
        var redis = new LocalRedisResource(name, directory);
        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(_ => $"127.0.0.1:{redis.PrimaryEndpoint.Port},abortConnect=false", healthCheck);
        return builder.AddResource(redis)
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: LocalRedisResource.EndpointName, isProxied: false)
            .WithArgs("--port", AppHostSettings.Invariant(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--dir", directory)
            .WithHealthCheck(healthCheck);
    }
}
