using System.Globalization;

namespace Comms.TestServers;

/// <summary>A throwaway MailDev (from the repository's node_modules) with its own mail folder and free ports.</summary>
public sealed class MailDevServer : ServerProcess
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private MailDevServer(string directory) : base(directory)
    {
        SmtpPort = FreePort();
        WebPort = FreePort();
    }

    public int SmtpPort { get; }

    public int WebPort { get; }

    /// <summary>What the services read from <c>ConnectionStrings:mail</c>.</summary>
    public string ConnectionString => $"smtp://127.0.0.1:{SmtpPort}";

    public string WebUrl => $"http://127.0.0.1:{WebPort}";

    public static async Task<MailDevServer> StartNewAsync(CancellationToken cancellationToken = default)
    {
        var server = new MailDevServer(NewDirectory("comms-test-mail"));
        await server.StartAsync(cancellationToken);
        return server;
    }

    protected override (string File, IEnumerable<string> Arguments) Command() => ("node",
    [
        RepositoryFile("node_modules/maildev/dist/bin/maildev.js"),
        "--smtp", SmtpPort.ToString(CultureInfo.InvariantCulture), "--web", WebPort.ToString(CultureInfo.InvariantCulture),
        "--ip", "127.0.0.1", "--web-ip", "127.0.0.1", "--mail-directory", Directory,
    ]);

    protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri($"{WebUrl}/api/healthz"), cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>A file of the repository (found upwards from the test binaries), e.g. MailDev installed by <c>npm ci</c>.</summary>
    public static string RepositoryFile(string relativePath)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Comms.sln")))
            {
                var path = Path.Combine(directory.FullName, relativePath);
                return File.Exists(path) ? path : throw new InvalidOperationException($"{relativePath} is missing: run `npm ci` in {directory.FullName}.");
            }
        }

        throw new InvalidOperationException("The repository root (Comms.sln) was not found above " + AppContext.BaseDirectory);
    }
}
