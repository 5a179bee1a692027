namespace Comms.Hosting;

/// <summary>Options for <see cref="RedisServer.StartAsync"/>.</summary>
public sealed record RedisServerOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free port.</summary>
    public int Port { get; init; }

    /// <summary>Working directory (<c>--dir</c>); null: a temporary folder deleted on dispose. Nothing is persisted.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>The redis-server binary (absolute path or a name on PATH).</summary>
    public string ServerPath { get; init; } = "redis-server";

    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
