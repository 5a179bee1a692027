using System.Net;
using Comms.Dispatcher.Extensions;
using Comms.Dispatcher.Throttling;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Push;

public static class PushServiceExtensions
{
    /// <summary>
    /// The push channel, when at least one push provider is configured: Expo when <c>Comms:Providers:Expo:Enabled</c>,
    /// FCM when <c>Comms:Providers:Fcm:ServiceAccountJson</c> is set. Without either, push stays <c>COMMS_NO_PROVIDER</c>.
    /// </summary>
    public static void AddPush(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ExpoOptions>().BindConfiguration(ExpoOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<FcmOptions>().BindConfiguration(FcmOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var expo = builder.Configuration.GetSection(ExpoOptions.SectionName).Get<ExpoOptions>() ?? new ExpoOptions();
        var fcm = builder.Configuration.GetSection(FcmOptions.SectionName).Get<FcmOptions>() ?? new FcmOptions();
        if (!expo.Enabled && !fcm.Enabled)
        {
            return;
        }

        if (expo.Enabled)
        {
            builder.Services.AddHttpClient(ExpoPushProvider.HttpClientName, (sp, client) =>
                {
                    var settings = sp.GetRequiredService<IOptions<ExpoOptions>>().Value;
                    client.BaseAddress = new Uri(settings.BaseUrl);
                    client.Timeout = settings.Timeout;
                })
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate })
                .AddProviderGuards("expo");
            builder.Services.AddSingleton<IPushProvider, ExpoPushProvider>();
            builder.Services.AddSingleton<ExpoReceipts>();
            builder.Services.AddHostedService<ExpoReceiptWorker>();
        }

        if (fcm.Enabled)
        {
            builder.Services.AddHttpClient(FcmPushProvider.HttpClientName, (sp, client) =>
            {
                var settings = sp.GetRequiredService<IOptions<FcmOptions>>().Value;
                client.BaseAddress = new Uri(settings.BaseUrl);
                client.Timeout = settings.Timeout;
            }).AddProviderGuards("fcm");
            builder.Services.AddSingleton<FcmCredentials>();
            builder.Services.AddSingleton<IPushProvider, FcmPushProvider>();
        }

        builder.Services.AddSingleton<PushDevices>();
        builder.Services.AddSingleton<PushSender>();
        builder.Services.AddSendingWorker<PushSender>();
    }
}
