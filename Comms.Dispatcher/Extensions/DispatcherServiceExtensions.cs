using Comms.Core.Auth;
using Comms.Core.Data;
using Comms.Core.Digests;
using Comms.Core.Events;
using Comms.Core.Inbox;
using Comms.Core.Messages;
using Comms.Core.Queueing;
using Comms.Core.Retention;
using Comms.Core.Routing;
using Comms.Core.Templates;
using Comms.Core.Unsubscribe;
using Comms.Core.Webhooks;
using Comms.Dispatcher.Digests;
using Comms.Dispatcher.Email;
using Comms.Dispatcher.InApp;
using Comms.Dispatcher.Maintenance;
using Comms.Dispatcher.Push;
using Comms.Dispatcher.Retention;
using Comms.Dispatcher.Routing;
using Comms.Dispatcher.Sending;
using Comms.Dispatcher.Sms;
using Comms.Dispatcher.Throttling;
using Comms.Dispatcher.Webhooks;
using Comms.Realtime;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RedLockNet;
using RedLockNet.SERedis;
using RedLockNet.SERedis.Configuration;
using StackExchange.Redis;

namespace Comms.Dispatcher.Extensions;

public static class DispatcherServiceExtensions
{
    public static IHostApplicationBuilder AddDispatcher(this IHostApplicationBuilder builder)
    {
        builder.AddCommsDatabase();
        builder.AddCommsRedis();
        builder.AddCommsRealtime();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.AddOptions<DispatcherOptions>().BindConfiguration(DispatcherOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<DispatcherIdentity>();
        builder.Services.AddSingleton<DispatcherSignals>();
        builder.Services.AddHostedService<WakeUpListener>();

        // Routing
        builder.Services.AddOptions<CatalogOptions>().BindConfiguration(CatalogOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<TenantCatalog>();
        builder.Services.AddHostedService<CatalogChangeListener>();
        builder.Services.AddOptions<UnsubscribeOptions>().BindConfiguration(UnsubscribeOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<PublicLinksOptions>().BindConfiguration(PublicLinksOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<UnsubscribeLinks>();
        builder.Services.AddSingleton<Comms.Core.Links.LinkTracking>();
        builder.Services.AddSingleton<LiquidRenderer>();
        builder.Services.AddSingleton<ContentRenderer>();
        builder.Services.AddSingleton<RoutingStore>();
        builder.Services.AddSingleton<WakeUps>();
        builder.Services.AddSingleton<EventQueue>();
        builder.Services.AddSingleton<AudienceReader>();
        builder.Services.AddSingleton<DedupeGuard>();
        builder.Services.AddSingleton<ChannelPlanner>();
        builder.Services.AddSingleton(sp => new ChannelProviders(sp.GetServices<IChannelSender>().Select(sender => sender.Channel)));
        builder.Services.AddSingleton<EventRouter>();
        builder.Services.AddSingleton<BatchRouter>();
        var routingLoops = int.TryParse(builder.Configuration[$"{DispatcherOptions.SectionName}:{nameof(DispatcherOptions.RoutingLoops)}"],
            System.Globalization.CultureInfo.InvariantCulture, out var loops) ? Math.Clamp(loops, 1, 16) : new DispatcherOptions().RoutingLoops;
        for (var i = 0; i < routingLoops; i++)
        {
            builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<EventRoutingWorker>(sp));
        }

        builder.Services.AddSingleton<RoutingRehearsal>();
        builder.Services.AddWarmUpStep<RoutingWarmUp>();
        builder.Services.AddSingleton<DigestQueue>();
        builder.Services.AddSingleton<DigestFlusher>();
        builder.Services.AddHostedService<DigestFlushWorker>();
        builder.Services.AddSingleton<Comms.Core.Contexts.ScheduledMessageScheduler>();
        builder.Services.AddHostedService<Contexts.ScheduledMessageWorker>();

        // Singleton duties run under a RedLock lease, on whichever replica holds it.
        builder.Services.AddSingleton<IDistributedLockFactory>(sp =>
            RedLockFactory.Create([new RedLockMultiplexer(sp.GetRequiredService<IConnectionMultiplexer>())]));
        builder.Services.AddHostedService<MaintenanceWorker>();
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<RetentionStore>();
        builder.Services.AddSingleton<RetentionJob>();
        builder.Services.AddHostedService<RetentionWorker>();

        // Sending: shared token buckets, provider circuit breakers, send-time fallback
        builder.Services.AddProviderGuardServices();
        builder.Services.AddOptions<SendLimitOptions>().BindConfiguration(SendLimitOptions.SectionName);
        builder.Services.AddSingleton<TenantChannelLimits>();
        builder.Services.AddSingleton<SendFallback>();
        builder.Services.AddSingleton<MessageQueue>();
        builder.Services.AddSingleton<InboxWriter>();
        builder.Services.AddSingleton<InAppSender>();
        builder.Services.AddSendingWorker<InAppSender>();
        builder.AddEmail();
        builder.AddPush();
        builder.AddSms();
        builder.AddWebhooks();

        return builder;
    }

    private static void AddWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        // Endpoint secrets are sealed with Comms:Auth:SecretEncryptionKey, like signing-key secrets (validated when first used).
        builder.Services.AddOptions<UserTokenOptions>().BindConfiguration(UserTokenOptions.SectionName).ValidateDataAnnotations();
        builder.Services.TryAddSingleton<SigningSecretProtector>();
        builder.Services.AddSingleton<WebhookEndpointService>();
        builder.Services.AddSingleton<WebhookPoster>();
        var allowPrivate = builder.Configuration.GetValue<bool>($"{WebhookOptions.SectionName}:{nameof(WebhookOptions.AllowPrivateTargets)}");
        builder.Services.AddHttpClient(WebhookPoster.HttpClientName, (sp, client) =>
            {
                client.Timeout = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<WebhookOptions>>().Value.Timeout;
                client.DefaultRequestHeaders.UserAgent.Add(new System.Net.Http.Headers.ProductInfoHeaderValue("Comms-Webhooks", "1.0"));
            })
            .ConfigurePrimaryHttpMessageHandler(() => WebhookTargets.CreateHandler(allowPrivate))
            .AddProviderGuards("webhook", perHost: true);
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddSendingWorker<WebhookSender>();
        // Message status changes (message.sent, message.delivered...) to the endpoints subscribed to them.
        builder.Services.AddHostedService<StatusWebhookWorker>();
    }

    /// <summary>
    /// One sending loop per configured provider, or <paramref name="loops"/> of them (each claims its own batches, so
    /// one loop's claim and recording overlap another's sends); register <typeparamref name="TSender"/> itself as a singleton too.
    /// <paramref name="guardedAs"/>: a provider name whose guards (bucket, breaker) wrap a sender that is not an HTTP
    /// client; HTTP providers chain <see cref="ProviderGuardExtensions.AddProviderGuards"/> onto their client instead.
    /// </summary>
    public static void AddSendingWorker<TSender>(this IServiceCollection services, int loops = 1, string? guardedAs = null)
        where TSender : class, IChannelSender
    {
        IChannelSender Sender(IServiceProvider sp) => guardedAs is null
            ? sp.GetRequiredService<TSender>()
            : new GuardedChannelSender(sp.GetRequiredService<TSender>(), guardedAs, sp.GetRequiredService<ProviderGuards>());

        services.AddSingleton<IChannelSender>(Sender);
        for (var i = 0; i < loops; i++)
        {
            services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<MessageSendingWorker>(sp, Sender(sp)));
        }
    }
}
