using Comms.Core.Email;
using Comms.Dispatcher.Extensions;
using Comms.Dispatcher.Throttling;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Email;

public static class EmailServiceExtensions
{
    /// <summary>
    /// The email channel, when at least one email provider is configured: SMTP when <c>ConnectionStrings:mail</c> is set,
    /// SendGrid when <c>Comms:Providers:SendGrid:ApiKey</c> is set. <c>Comms:Channels:Email:Provider</c> picks the
    /// deployment's default (unset: smtp when configured, else sendgrid); a tenant may choose the other configured one.
    /// </summary>
    public static void AddEmail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<SendGridOptions>().BindConfiguration(SendGridOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        var configured = EmailProviders.Configured(builder.Configuration);
        var chosen = EmailProviders.Default(builder.Configuration);
        if (chosen is not null && !configured.Contains(chosen, StringComparer.Ordinal))
        {
            throw new InvalidOperationException(EmailProviders.All.Contains(chosen, StringComparer.Ordinal)
                ? $"{EmailProviders.ProviderKey} is '{chosen}', which is not configured (set {(chosen == EmailProviders.Smtp ? "ConnectionStrings:mail" : EmailProviders.SendGridApiKeyKey)})."
                : $"{EmailProviders.ProviderKey} must be one of: {string.Join(", ", EmailProviders.All)}.");
        }

        if (chosen is null)
        {
            return; // no email provider: email is routed as COMMS_NO_PROVIDER
        }

        if (configured.Contains(EmailProviders.Smtp))
        {
            builder.Services.AddSingleton(SmtpEndpoint.Parse(builder.Configuration.GetConnectionString("mail")!));
            builder.Services.AddSingleton<SmtpEmailSender>();
            builder.Services.AddWarmUpStep<SmtpWarmUp>();
            // Operators' replies from the inbox go over SMTP (a SendGrid-only deployment leaves them queued).
            builder.Services.AddOptions<Comms.Core.SupportInbox.InboundMailOptions>().BindConfiguration(Comms.Core.SupportInbox.InboundMailOptions.SectionName)
                .ValidateDataAnnotations().ValidateOnStart();
            builder.Services.AddSingleton<Comms.Core.SupportInbox.InboxReplyQueue>();
            builder.Services.AddHostedService<SupportInbox.InboxReplyWorker>();
        }

        builder.Services.AddSingleton(new EmailProviderChoice(chosen, configured));
        // Validated with the other dispatcher options at start; here only how many loops to register.
        var loops = int.TryParse(builder.Configuration[$"{DispatcherOptions.SectionName}:Channels:email:Loops"], System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? Math.Clamp(n, 1, 16) : 1;
        if (configured.Contains(EmailProviders.SendGrid))
        {
            // The one registration of the SendGrid client (rate bucket and breaker handlers chain onto it).
            builder.Services.AddHttpClient(SendGridEmailProvider.HttpClientName, (sp, client) =>
            {
                var settings = sp.GetRequiredService<IOptions<SendGridOptions>>().Value;
                client.BaseAddress = new Uri(settings.BaseUrl);
                client.Timeout = settings.Timeout;
            }).AddProviderGuards(EmailProviders.SendGrid);
            builder.Services.AddSingleton<SendGridEmailProvider>();
            builder.Services.AddSingleton<BatchEmailSender>();
            builder.Services.AddSendingWorker<BatchEmailSender>(loops);
        }
        else
        {
            builder.Services.AddSingleton<EmailSender>();
            builder.Services.AddSendingWorker<EmailSender>(loops);
        }
    }
}
