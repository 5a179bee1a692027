using Comms.Api.OpenApi;
using Comms.Api.Events;
using Comms.Api.Feedback;
using Comms.Api.Auth;
using Comms.Api.Contexts;
using Comms.Core.Contexts;
using Comms.Api.Input;
using Comms.Api.Recipients;
using Comms.Api.Templates;
using Comms.Core.Data;
using Comms.Core.Diagnostics;
using Comms.Core.Events;
using Comms.Core.Inbox;
using Comms.Core.Operators;
using Comms.Core.Queueing;
using Comms.Core.Routing;
using Comms.Core.Sms;
using Comms.Core.Tenancy;
using Comms.Core.Webhooks;
using Comms.Realtime;
using Comms.ServiceDefaults.Cors;

namespace Comms.Api.Extensions;

public static class ApplicationServiceExtensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddCommsDatabase();
        builder.AddCommsRedis();
        builder.AddCommsRealtime();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.AddOptions<IntakeOptions>().BindConfiguration(IntakeOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<CatalogOptions>().BindConfiguration(CatalogOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<TenantCatalog>();
        builder.Services.AddSingleton<CatalogChanges>();
        builder.Services.AddSingleton<RoutingRuleService>();
        builder.Services.AddHostedService<CatalogChangeListener>();
        builder.Services.AddSingleton<WakeUps>();
        builder.Services.AddSingleton<EventIntake>();
        builder.Services.AddHostedService<EventIntakeWriter>();
        builder.Services.AddWarmUpStep<IntakeWarmUp>();
        builder.Services.AddSingleton<WarmUpCredential>();
        builder.Services.AddSingleton<ISelfRequestCredential>(sp => sp.GetRequiredService<WarmUpCredential>());
        builder.Services.AddSelfRequestWarmUp(
            new(HttpMethod.Post, "/v1/events", IntakeWarmUp.SampleEvent), new(HttpMethod.Get, $"/v1/events/{Guid.Empty}"),
            new(HttpMethod.Get, "/me/notifications"));
        builder.Services.AddSingleton<InboxService>();
        builder.Services.AddSingleton<LiveInbox>();
        builder.AddWidgetCors();
        builder.Services.AddSingleton<TenantService>();
        builder.Services.AddSingleton<Comms.Core.Banners.BannerService>();
        builder.Services.AddSingleton<Comms.Api.Banners.BannerScheduler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Comms.Api.Banners.BannerScheduler>());
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<WebhookEndpointService>();
        builder.Services.AddSingleton<Comms.Core.Audit.AuditLog>();
        builder.Services.AddSingleton<Comms.Core.Messages.MessageResend>();
        builder.Services.AddSingleton<Comms.Core.DirectMessages.DirectMessageService>();
        builder.Services.AddSingleton<Comms.Core.ReleaseNotes.ReleaseNoteService>();
        builder.Services.AddSingleton<Comms.Core.ReleaseNotes.ReleaseNoteAnnouncer>();
        builder.Services.AddSingleton<Comms.Core.Broadcasts.BroadcastService>();
        builder.Services.AddSingleton<Comms.Core.Broadcasts.BroadcastProgress>();
        builder.Services.AddSingleton<Comms.Core.Broadcasts.BroadcastSender>();
        builder.Services.AddSingleton<Comms.Core.Broadcasts.BroadcastControl>();
        builder.Services.AddOptions<Comms.Core.SupportInbox.InboundMailOptions>().BindConfiguration(Comms.Core.SupportInbox.InboundMailOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Comms.Core.SupportInbox.SupportInboxService>();
        builder.Services.AddSingleton<Comms.Core.Audit.AuditQuery>();
        builder.AddFeedbackWebhooks();
        builder.Services.AddOptions<TwilioOptions>().BindConfiguration(TwilioOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SmsConsent>();

        builder.AddContextMail();
        builder.Services.AddTemplateServices();
        builder.Services.AddRecipientServices();
        builder.Services.AddContextServices();

        builder.AddInputGuards();
        builder.AddCommsRateLimiting(failedOpen: policy => CommsTelemetry.RateLimitFailedOpen.Add(1, new KeyValuePair<string, object?>("policy", policy)));
        builder.Services.AddOptions<Comms.Core.Operators.OperatorOptions>().BindConfiguration(Comms.Core.Operators.OperatorOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddCommsOperators();
        builder.AddCommsAuthentication();
        builder.AddContextHostAuth();
        builder.Services.AddProblemDetailsDefaults();
        builder.Services.AddCommsOpenApi();
        return builder;
    }
}
