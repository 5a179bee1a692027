using Comms.Core.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Comms.Realtime.Auth;

/// <summary>
/// The end-user token scheme, shared by the API (<c>/me</c>) and the Web (session start, hub): both validate
/// through the same <see cref="UserTokenValidator"/> over the same per-tenant key cache.
/// </summary>
public static class UserTokenAuthentication
{
    public const string SchemeName = "UserToken";

    public static AuthenticationBuilder AddCommsUserTokens(this AuthenticationBuilder authentication,
        Action<UserTokenAuthenticationOptions>? configure = null)
    {
        var services = authentication.Services;
        services.AddOptions<UserTokenOptions>().BindConfiguration(UserTokenOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<SigningSecretProtector>();
        services.TryAddSingleton<TenantSigningKeys>();
        services.TryAddSingleton<ISigningKeySource>(sp => sp.GetRequiredService<TenantSigningKeys>());
        services.TryAddSingleton<SigningKeyChanges>();
        services.TryAddSingleton<UserTokenValidator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, SigningKeyChangeListener>());
        return authentication.AddScheme<UserTokenAuthenticationOptions, UserTokenAuthenticationHandler>(SchemeName, configure);
    }
}
