namespace Comms.Hosting;

/// <summary>Options for <see cref="MailDevServer.StartAsync"/>.</summary>
public sealed record MailDevOptions
{
    /// <summary>SMTP port on 127.0.0.1; 0 picks a free port.</summary>
    public int SmtpPort { get; init; }

    /// <summary>Web UI / REST API port on 127.0.0.1; 0 picks a free port.</summary>
    public int WebPort { get; init; }

    /// <summary>Where mails are stored (always passed as --mail-directory); null: a temporary folder deleted on dispose.</summary>
    public string? MailDirectory { get; init; }

    /// <summary>Folder to start the search for the repository root (Comms.sln) from; null: AppContext.BaseDirectory.</summary>
    public string? RepositoryRoot { get; init; }

    /// <summary>The node binary (absolute path or a name on PATH).</summary>
    public string NodePath { get; init; } = "node";

    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
