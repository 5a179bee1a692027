namespace Comms.Hosting;

/// <summary>MailDev: SMTP (<c>smtp://127.0.0.1:&lt;port&gt;</c> as connection string) plus web UI / REST API ("http" endpoint).</summary>
public sealed class MailDevResource : Resource, IResourceWithConnectionString
{
    private MailDevServer? _server;

    public MailDevResource(string name, int? httpPort = null, int? smtpPort = null)
        : base(name)
    {
        RequestedHttpPort = httpPort;
        RequestedSmtpPort = smtpPort;
    }

    public int? RequestedHttpPort { get; }

    public int? RequestedSmtpPort { get; }

    public int HttpPort { get; private set; }

    public int SmtpPort { get; private set; }

    public MailDevServer? Server => _server;

    public string? ConnectionString => ExternalConnectionString ?? (SmtpPort > 0 ? $"smtp://127.0.0.1:{SmtpPort}" : null);

    protected internal override Task<int>? Exited => _server?.Exited;

    protected internal override Task PrepareAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        SmtpPort = context.ResolvePort($"{Name}-smtp", RequestedSmtpPort);
        HttpPort = context.ResolvePort($"{Name}-http", RequestedHttpPort);
        MailDevServer.LocateScript(context.RepositoryRoot); // fail before anything starts if npm ci is missing
        return Task.CompletedTask;
    }

    protected internal override async Task StartAsync(ResourceContext context, CancellationToken cancellationToken) =>
        _server = await MailDevServer.StartAsync(
            new MailDevOptions
            {
                SmtpPort = SmtpPort,
                WebPort = HttpPort,
                MailDirectory = Path.Combine(context.DataDirectory, Name),
                RepositoryRoot = context.RepositoryRoot,
            },
            context.Logger,
            cancellationToken);

    protected internal override async Task StopAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            await server.DisposeAsync();
        }
    }

    protected internal override string Describe() => $"{ConnectionString}  (web UI http://127.0.0.1:{HttpPort})";

    protected internal override Uri? GetEndpoint(string endpointName) => endpointName switch
    {
        "http" when HttpPort > 0 => new Uri($"http://127.0.0.1:{HttpPort}"),
        "smtp" when SmtpPort > 0 => new Uri($"smtp://127.0.0.1:{SmtpPort}"),
        _ => null,
    };
}
