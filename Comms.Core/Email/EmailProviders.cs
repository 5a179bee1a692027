using Microsoft.Extensions.Configuration;

namespace Comms.Core.Email;

/// <summary>
/// The email providers a deployment can use (names shared with metrics, rate buckets and breakers) and which of them
/// this deployment configured: <c>smtp</c> when <c>ConnectionStrings:mail</c> is set, <c>sendgrid</c> when
/// <c>Comms:Providers:SendGrid:ApiKey</c> is set. The deployment's default is <c>Comms:Channels:Email:Provider</c>,
/// else smtp when configured, else sendgrid; a tenant may pick another configured one (<c>Tenant.EmailProvider</c>).
/// </summary>
public static class EmailProviders
{
    public const string Smtp = "smtp";
    public const string SendGrid = "sendgrid";

    public const string ProviderKey = "Comms:Channels:Email:Provider";
    public const string SendGridApiKeyKey = "Comms:Providers:SendGrid:ApiKey";

    public static IReadOnlyList<string> All { get; } = [Smtp, SendGrid];

    /// <summary>The providers this deployment has settings for, in <see cref="All"/> order.</summary>
    public static IReadOnlyList<string> Configured(IConfiguration configuration)
    {
        var configured = new List<string>(2);
        if (!string.IsNullOrWhiteSpace(configuration.GetConnectionString("mail")))
        {
            configured.Add(Smtp);
        }

        if (!string.IsNullOrWhiteSpace(configuration[SendGridApiKeyKey]))
        {
            configured.Add(SendGrid);
        }

        return configured;
    }

    /// <summary>The deployment's default provider: the configured <c>Comms:Channels:Email:Provider</c>, else smtp, else sendgrid; null without any.</summary>
    public static string? Default(IConfiguration configuration)
    {
        var chosen = configuration[ProviderKey];
        if (!string.IsNullOrWhiteSpace(chosen))
        {
            return chosen.Trim().ToLowerInvariant();
        }

        return Configured(configuration) is { Count: > 0 } configured ? configured[0] : null;
    }
}
