namespace Comms.Hosting;

/// <summary>Options for <see cref="PostgresServer.StartAsync"/>.</summary>
public sealed record PostgresServerOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free port.</summary>
    public int Port { get; init; }

    /// <summary>
    /// Where the cluster lives; created with initdb if missing and kept between runs (unless <see cref="Ephemeral"/>).
    /// When running as root and the <c>postgres</c> user cannot reach this path, a folder under
    /// <c>/var/tmp/comms/&lt;hash&gt;/</c> is used instead.
    /// </summary>
    public required string DataDirectory { get; init; }

    /// <summary>
    /// Password of the <c>postgres</c> user. If null: read from <c>&lt;DataDirectory&gt;/../&lt;Name&gt;.password</c>,
    /// or generated and stored there (mode 0600) when the cluster is created. Ephemeral servers keep a generated
    /// password in memory only.
    /// </summary>
    public string? Password { get; init; }

    /// <summary>Test instance: fsync and friends off, data directory deleted on dispose.</summary>
    public bool Ephemeral { get; init; }

    /// <summary>Folder with <c>initdb</c> and <c>postgres</c>; null: /usr/lib/postgresql/15/bin, else the newest /usr/lib/postgresql/*/bin.</summary>
    public string? BinDirectory { get; init; }

    /// <summary>Name used for the password file and messages.</summary>
    public string Name { get; init; } = "postgres";

    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>PostgreSQL's max_connections.</summary>
    public int MaxConnections { get; init; } = 300;

    /// <summary>How long a fast shutdown (SIGINT) may take before the server is killed.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
