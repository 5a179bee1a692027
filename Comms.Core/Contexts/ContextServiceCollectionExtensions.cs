using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Comms.Core.Contexts;

public static class ContextServiceCollectionExtensions
{
    /// <summary>
    /// The context services. <see cref="IContextLifecycle"/> defaults to <see cref="NoContextLifecycle"/> (TryAdd): register
    /// another implementation before or after this call with <c>services.Replace(...)</c> / <c>AddSingleton</c> first.
    /// </summary>
    public static IServiceCollection AddContextServices(this IServiceCollection services)
    {
        services.TryAddSingleton<IContextLifecycle, NoContextLifecycle>();
        services.TryAddSingleton<ContextService>();
        return services;
    }
}
