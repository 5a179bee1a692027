using Comms.Core.Sms;
using Comms.Dispatcher.Extensions;
using Comms.Dispatcher.Throttling;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Sms;

public static class SmsServiceExtensions
{
    /// <summary>
    /// The SMS channel, when <c>Comms:Providers:Twilio:AccountSid</c> is set (else SMS stays <c>COMMS_NO_PROVIDER</c>).
    /// Twilio's HttpClient is registered here, once, under the provider's name (<c>twilio</c>); its builder is the
    /// return value so that handlers (rate limits, breaker) can be chained onto it.
    /// </summary>
    public static IHttpClientBuilder? AddSms(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TwilioOptions>().BindConfiguration(TwilioOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var twilio = builder.Configuration.GetSection(TwilioOptions.SectionName).Get<TwilioOptions>() ?? new TwilioOptions();
        if (!twilio.Enabled)
        {
            return null;
        }

        var client = builder.Services.AddHttpClient(TwilioSmsSender.HttpClientName, (sp, http) =>
        {
            var settings = sp.GetRequiredService<IOptions<TwilioOptions>>().Value;
            http.BaseAddress = new Uri(settings.BaseUrl.TrimEnd('/') + "/");
            http.Timeout = settings.Timeout;
        }).AddProviderGuards(TwilioOptions.ProviderName);
        builder.Services.AddSingleton<SmsConsent>();
        builder.Services.AddSingleton<TwilioSmsSender>();
        builder.Services.AddSendingWorker<TwilioSmsSender>();
        return client;
    }
}
