using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A warm-up step that sends a service a few requests through its own listening socket once it has started:
/// Kestrel's connection and parsing code, routing (the first request builds every minimal-API endpoint's request
/// delegate), authentication, request-body reading and the problem-details writer all run once before the first
/// real request. The requests carry a credential that does not exist, so they are refused and change nothing — or,
/// when the service offers an <see cref="ISelfRequestCredential"/>, that one, which authenticates as no real tenant,
/// so the requests run the authenticated path and still change nothing.
/// </summary>
public sealed class SelfRequestWarmUp(
    IServer server, IHostApplicationLifetime lifetime, IReadOnlyList<SelfRequest> requests, ISelfRequestCredential? credential = null) : IWarmUpStep
{
    private const string NotAKey = "cms_warmup_not_a_key";

    public string Name => "self-requests";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null || !Uri.TryCreate(Loopback(address), UriKind.Absolute, out var baseAddress))
        {
            return; // not listening on a socket (an in-memory test server): nothing to warm here
        }

        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            await SendAllAsync(client, NotAKey, cancellationToken);
            if (credential is not null)
            {
                await SendAllAsync(client, credential.Issue(), cancellationToken);
            }
        }
        finally
        {
            credential?.Retire(); // for good: the requests are not repeated (below)
        }
    }

    /// <summary>
    /// Not repeated in the tier-up rounds: some endpoints' rate limits (sign-in, /sys, anonymous callers) are partitioned
    /// by the client's address, which these requests share with every local user — a hundred rounds of them answered the
    /// next local caller 429 (found by the broadcast bench) — and refused ones count as failed authentications from loopback.
    /// </summary>
    public bool Repeats => false;

    private async Task SendAllAsync(HttpClient client, string bearer, CancellationToken cancellationToken)
    {
        foreach (var request in requests)
        {
            using var message = new HttpRequestMessage(request.Method, request.Path);
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            if (request.JsonBody is { } body)
            {
                message.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            using var response = await client.SendAsync(message, cancellationToken);
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
    }

    /// <summary>A wildcard listening address (<c>http://+:80</c>, <c>http://[::]:80</c>) as one this process can call.</summary>
    private static string Loopback(string address) => address
        .Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
        .Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal);
}

/// <summary>One request of <see cref="SelfRequestWarmUp"/>.</summary>
public sealed record SelfRequest(HttpMethod Method, string Path, string? JsonBody = null);

public static class SelfRequestWarmUpExtensions
{
    /// <summary>Warms the service's HTTP path with these requests (refused ones: they carry no valid credential).</summary>
    public static IServiceCollection AddSelfRequestWarmUp(this IServiceCollection services, params SelfRequest[] requests) =>
        services.AddWarmUpStep(provider => new SelfRequestWarmUp(
            provider.GetRequiredService<IServer>(), provider.GetRequiredService<IHostApplicationLifetime>(), requests,
            provider.GetService<ISelfRequestCredential>()));
}
