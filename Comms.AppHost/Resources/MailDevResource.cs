namespace Comms.AppHost.Resources;

/// <summary>
/// MailDev (npm, from the repository's <c>node_modules</c>) as an executable resource: an SMTP endpoint for the
/// services (<c>ConnectionStrings:mail</c> = <c>smtp://127.0.0.1:port</c>) and a web UI to read what was sent.
/// </summary>
public sealed class MailDevResource(string name, string workingDirectory)
    : ExecutableResource(name, "node", workingDirectory), IResourceWithConnectionString
{
    internal const string SmtpEndpointName = "smtp";
    internal const string HttpEndpointName = "http";

    private EndpointReference? _smtp;

    public EndpointReference SmtpEndpoint => _smtp ??= new(this, SmtpEndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"smtp://127.0.0.1:{SmtpEndpoint.Property(EndpointProperty.Port)}");
}

public static class MailDevExtensions
{
    public static IResourceBuilder<MailDevResource> AddMailDev(
        this IDistributedApplicationBuilder builder, string name, string repositoryRoot, string dataDirectory, int smtpPort, int httpPort)
    {
        var script = Path.Combine(repositoryRoot, "node_modules", "maildev", "dist", "bin", "maildev.js");
        if (!File.Exists(script))
        {
            throw new DistributedApplicationException($"MailDev is not installed ({script} is missing): run `npm ci` in {repositoryRoot}.");
        }

        var directory = Path.Combine(dataDirectory, "mail");
        Directory.CreateDirectory(directory);
        return builder.AddResource(new MailDevResource(name, repositoryRoot))
            .WithEndpoint(port: smtpPort, targetPort: smtpPort, scheme: "smtp", name: MailDevResource.SmtpEndpointName,
                env: "MAILDEV_SMTP_PORT", isProxied: false)
            .WithHttpEndpoint(port: httpPort, targetPort: httpPort, name: MailDevResource.HttpEndpointName, env: "MAILDEV_WEB_PORT", isProxied: false)
            .WithArgs(script, "--ip", "127.0.0.1", "--web-ip", "127.0.0.1", "--mail-directory", directory)
            .WithHttpHealthCheck("/api/healthz", endpointName: MailDevResource.HttpEndpointName);
    }
}
