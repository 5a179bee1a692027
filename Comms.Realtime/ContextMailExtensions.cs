using Comms.Core.ContextMail;
using Comms.Core.Contexts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Comms.Realtime;

public static class ContextMailExtensions
{
    /// <summary>
    /// In-context mail (SPEC S8): <c>Comms:ContextMail</c> limits, language detection, the <c>Comms:Translation</c>
    /// provider and its cache, live badges, and the system mail of the context lifecycle (it replaces the default
    /// <see cref="IContextLifecycle"/>, before or after <c>AddContextServices</c>). Needs <c>TenantCatalog</c>,
    /// <c>WakeUps</c> and <see cref="RealtimeExtensions.AddCommsRealtime"/>.
    /// </summary>
    public static IHostApplicationBuilder AddContextMail(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ContextMailOptions>().BindConfiguration(ContextMailOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TranslationOptions>().BindConfiguration(TranslationOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<MailLanguageDetector>();
        services.AddHttpClient(TranslationProvider.ClientName);
        services.AddSingleton<TranslationProvider>();
        services.AddSingleton<MailTranslations>();
        services.AddSingleton<ContextMailService>();
        services.AddSingleton<ContextMailbox>();
        services.AddSingleton<LiveContextMail>();
        services.Replace(ServiceDescriptor.Singleton<IContextLifecycle, ContextMailLifecycle>());
        return builder;
    }
}
