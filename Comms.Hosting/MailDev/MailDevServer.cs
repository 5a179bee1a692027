using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Comms.Hosting;

/// <summary>
/// MailDev 3.0.0 (npm, from the repository's node_modules) run as our child process: an SMTP server that keeps
/// every mail, plus a web UI and REST API (<c>GET /api/email</c>). Dispose stops it with SIGTERM, then SIGKILL.
/// </summary>
public sealed class MailDevServer : IAsyncDisposable
{
    /// <summary>The CLI entry point of maildev 3.0.0 relative to the repository root.</summary>
    public const string ScriptPath = "node_modules/maildev/dist/bin/maildev.js";

    /// <summary>Readiness endpoint of MailDev 3.</summary>
    public const string HealthPath = "/api/healthz";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private readonly ChildProcess _process;
    private readonly MailDevOptions _options;
    private readonly ILogger _logger;
    private readonly bool _ownsDirectory;
    private int _disposed;

    private MailDevServer(ChildProcess process, MailDevOptions options, int smtpPort, int webPort, string directory, bool ownsDirectory, ILogger logger)
    {
        _process = process;
        _options = options;
        SmtpPort = smtpPort;
        WebPort = webPort;
        MailDirectory = directory;
        _ownsDirectory = ownsDirectory;
        _logger = logger;
    }

    public int SmtpPort { get; }

    public int WebPort { get; }

    public int Pid => _process.Pid;

    public string MailDirectory { get; }

    /// <summary>Aspire's MailDev convention: <c>smtp://127.0.0.1:&lt;smtpPort&gt;</c>.</summary>
    public string ConnectionString => $"smtp://127.0.0.1:{SmtpPort}";

    /// <summary>Web UI and REST API, e.g. <c>{WebUrl}/api/email</c>.</summary>
    public string WebUrl => $"http://127.0.0.1:{WebPort}";

    public Task<int> Exited => _process.Exited;

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
        var ownsDirectory = options.MailDirectory is null;
        var directory = options.MailDirectory is { } dir
            ? Path.GetFullPath(dir)
            : Directory.CreateTempSubdirectory("comms-maildev-").FullName;
        Directory.CreateDirectory(directory);

        var smtpPort = options.SmtpPort == 0 ? PortAllocator.GetFreeTcpPort() : options.SmtpPort;
        var webPort = options.WebPort == 0 ? PortAllocator.GetFreeTcpPort() : options.WebPort;
        PortAllocator.EnsureFree(smtpPort, "MailDev (SMTP)");
        PortAllocator.EnsureFree(webPort, "MailDev (web)");
        string[] arguments =
        [
            script, "--smtp", smtpPort.ToString(CultureInfo.InvariantCulture), "--web", webPort.ToString(CultureInfo.InvariantCulture),
            "--ip", "127.0.0.1", "--web-ip", "127.0.0.1", "--mail-directory", directory,
        ];
        var process = ChildProcess.Start(
            new ChildProcessOptions { FileName = options.NodePath, Arguments = arguments, WorkingDirectory = directory },
            ProcessLog.Forward(logger));
        var server = new MailDevServer(process, options, smtpPort, webPort, directory, ownsDirectory, logger);
        try
        {
            await server.WaitUntilReadyAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        ProcessLog.Ready(logger, "maildev", server.Pid, smtpPort);
        return server;
    }

    /// <summary>SIGTERM, SIGKILL after <see cref="MailDevOptions.ShutdownTimeout"/>.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!await _process.StopAsync(Signals.SIGTERM, _options.ShutdownTimeout, cancellationToken))
        {
            ProcessLog.Killed(_logger, "maildev", Pid, _options.ShutdownTimeout);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await StopAsync();
        }
        finally
        {
            await _process.DisposeAsync();
            if (_ownsDirectory)
            {
                try
                {
                    Directory.Delete(MailDirectory, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var health = new Uri(WebUrl + HealthPath);
        while (!await HttpProbe.IsOkAsync(Http, health, cancellationToken) || _process.HasExited)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"MailDev exited with code {await _process.Exited} during startup. Last output:{Environment.NewLine}{_process.FormatOutputTail()}");
            }

            if (clock.Elapsed > _options.StartupTimeout)
            {
                throw new TimeoutException(
                    $"MailDev did not answer {health} within {_options.StartupTimeout.TotalSeconds:0} s. " +
                    $"Last output:{Environment.NewLine}{_process.FormatOutputTail()}");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }
}
