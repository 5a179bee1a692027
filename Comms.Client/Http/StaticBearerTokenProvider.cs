using Microsoft.Kiota.Abstractions.Authentication;

namespace Comms.Client.Http;

/// <summary>The bearer credential the client sends on every request: a tenant API key, an end-user token or the operator key.</summary>
internal sealed class StaticBearerTokenProvider(string token) : IAccessTokenProvider
{
    public AllowedHostsValidator AllowedHostsValidator { get; } = new();

    public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null,
        CancellationToken cancellationToken = default) => Task.FromResult(token);
}
