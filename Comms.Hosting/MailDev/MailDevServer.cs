using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Comms.Hosting;

/// <summary>
/// MailDev 3.0.0 (npm, from the repository's node_modules) run as our child process: an SMTP server that keeps
/// every mail, plus a web UI and REST API (<c>GET /api/email</c>). Stop and dispose use SIGTERM, falling back to
/// SIGKILL after <see cref="MailDevOptions.ShutdownTimeout"/>.
/// </summary>
public sealed class MailDevServer : LocalServer
{
    /// <summary>The CLI entry point of maildev 3.0.0 relative to the repository root.</summary>
    public const string ScriptPath = "node_modules/maildev/dist/bin/maildev.js";

    /// <summary>Readiness endpoint of MailDev 3.</summary>
    public const string HealthPath = "/api/healthz";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private MailDevServer(ChildProcess process, MailDevOptions options, int smtpPort, int webPort, string directory, bool ownsDirectory, ILogger logger)
        : base(process, new LocalServerProfile(
            Program: "maildev", DisplayName: "MailDev", Readiness: $"answer {HealthUri(webPort)}",
            Signals.SIGTERM, options.StartupTimeout, options.ShutdownTimeout, OwnedDirectory: ownsDirectory ? directory : null), logger)
    {
        SmtpPort = smtpPort;
        WebPort = webPort;
        MailDirectory = directory;
    }

    public int SmtpPort { get; }

    public int WebPort { get; }

    public string MailDirectory { get; }

    /// <summary>Aspire's MailDev convention: <c>smtp://127.0.0.1:&lt;smtpPort&gt;</c>.</summary>
    public string ConnectionString => $"smtp://127.0.0.1:{SmtpPort}";

    /// <summary>Web UI and REST API, e.g. <c>{WebUrl}/api/email</c>.</summary>
    public string WebUrl => $"http://127.0.0.1:{WebPort}";

    /// <summary>Full path of the MailDev script; throws with a hint to run <c>npm ci</c> if it is not installed.</summary>
    public static string LocateScript(string? startDirectory = null)
    {
        var root = RepositoryRoot.Find(startDirectory);
        var script = Path.Combine(root, ScriptPath);
        if (File.Exists(script))
        {
            return script;
        }

        throw Directory.Exists(Path.Combine(root, "node_modules", "maildev"))
            ? new InvalidOperationException($"node_modules/maildev has an unexpected layout (expected {ScriptPath}, maildev 3.0.0). Run `npm ci` in {root}.")
            : new InvalidOperationException($"MailDev is not installed (no node_modules/maildev). Run `npm ci` in the repository root ({root}).");
    }

    /// <summary>Starts MailDev and waits until <c>/api/healthz</c> answers 200.</summary>
    public static async Task<MailDevServer> StartAsync(
        MailDevOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        logger ??= NullLogger.Instance;
        var script = LocateScript(options.RepositoryRoot);
        var (directory, ownsDirectory) = PrepareDirectory(options.MailDirectory, "comms-maildev-");
        var smtpPort = ReservePort(options.SmtpPort, "MailDev (SMTP)");
        var webPort = ReservePort(options.WebPort, "MailDev (web)");
        string[] arguments =
        [
            script, "--smtp", smtpPort.ToString(CultureInfo.InvariantCulture), "--web", webPort.ToString(CultureInfo.InvariantCulture),
            "--ip", "127.0.0.1", "--web-ip", "127.0.0.1", "--mail-directory", directory,
        ];
        var process = ChildProcess.Start(
            new ChildProcessOptions { FileName = options.NodePath, Arguments = arguments, WorkingDirectory = directory },
            ProcessLog.Forward(logger));
        var server = new MailDevServer(process, options, smtpPort, webPort, directory, ownsDirectory, logger);
        await server.WaitUntilReadyAsync(smtpPort, cancellationToken);
        return server;
    }

    private protected override Task<bool> IsReadyAsync(CancellationToken cancellationToken) =>
        HttpProbe.IsOkAsync(Http, HealthUri(WebPort), cancellationToken);

    private static Uri HealthUri(int webPort) => new($"http://127.0.0.1:{webPort}{HealthPath}");
}
