using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Polly.CircuitBreaker;

namespace Comms.Dispatcher.Throttling;

/// <summary>
/// The guards of an HTTP provider as a <see cref="DelegatingHandler"/>: an open breaker holds the request at once; then
/// the provider's token bucket gives it a slot (waiting here up to <see cref="ThrottlingOptions.MaxWait"/>, else held);
/// then the request runs through the breaker, which counts 5xx, 408, timeouts and connection errors as failures.
/// A held request throws <see cref="ProviderHeldException"/>.
/// </summary>
public sealed class ProviderGuardHandler(ProviderGuards guards, string provider, bool perHost) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var breaker = guards.Breaker(provider, perHost ? request.RequestUri?.Authority : null);
        breaker.ThrowIfOpen();
        await guards.WaitTurnAsync(breaker, cancellationToken);
        return await breaker.ExecuteAsync(
            ct => base.SendAsync(request, ct), Classify, IsTransient, response => response.Dispose(), cancellationToken);
    }

    /// <summary>Failed (see <see cref="IsFailure"/>), accepted (2xx/3xx), a 429 is neither, any other 4xx rejects the message.</summary>
    public static ProviderAnswer Classify(HttpResponseMessage response) => response switch
    {
        _ when IsFailure(response) => ProviderAnswer.Failed,
        { StatusCode: HttpStatusCode.TooManyRequests } => ProviderAnswer.Other,
        { StatusCode: < HttpStatusCode.BadRequest } => ProviderAnswer.Accepted,
        _ => ProviderAnswer.Rejected,
    };

    /// <summary>An answer that says the provider is in trouble (not that it rejects one message, nor a rate limit: 429).</summary>
    public static bool IsFailure(HttpResponseMessage response) =>
        (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout;

    /// <summary>No answer: a connection error or a timeout (HttpClient's timeout cancels the request inside the handlers).</summary>
    public static bool IsTransient(Exception exception) => exception is HttpRequestException or OperationCanceledException or TimeoutException;
}

public static class ProviderGuardExtensions
{
    /// <summary>
    /// Chains the provider's guards onto an HTTP client: its shared token bucket (<c>Comms:Providers:&lt;provider&gt;:RequestsPerSecond</c>),
    /// then its circuit breaker (<c>Comms:Throttling:Breaker</c>). <paramref name="perHost"/>: one breaker per target host
    /// (webhooks, whose targets are the tenants' own servers) instead of one for the provider.
    /// </summary>
    public static IHttpClientBuilder AddProviderGuards(this IHttpClientBuilder builder, string provider, bool perHost = false)
    {
        builder.Services.AddProviderGuardServices();
        return builder.AddHttpMessageHandler(sp => new ProviderGuardHandler(sp.GetRequiredService<ProviderGuards>(), provider, perHost));
    }

    /// <summary>The buckets, the guards, their options and the breakers' health entry (once, whoever asks first).</summary>
    public static IServiceCollection AddProviderGuardServices(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(ProviderGuards)))
        {
            return services;
        }

        services.AddOptions<ThrottlingOptions>().BindConfiguration(ThrottlingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TokenBuckets>();
        services.AddSingleton<ProviderGuards>();
        services.AddSingleton<ProviderHealthPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<ProviderHealthPublisher>());
        services.AddHealthChecks().AddCheck<ProviderBreakersHealthCheck>("provider-breakers");
        return services;
    }
}

/// <summary>The <c>provider-breakers</c> health entry: Degraded while any provider's breaker is open or half-open (data: each breaker's state).</summary>
public sealed class ProviderBreakersHealthCheck(ProviderGuards guards) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var breakers = guards.Breakers;
        var data = breakers.ToDictionary(b => b.Name, b => (object)b.State.ToString());
        var open = breakers.Where(b => b.State != CircuitState.Closed).Select(b => b.Name).Order(StringComparer.Ordinal).ToList();
        return Task.FromResult(open.Count == 0
            ? HealthCheckResult.Healthy("Every provider circuit breaker is closed.", data)
            : HealthCheckResult.Degraded($"Circuit breaker open: {string.Join(", ", open)}; their messages wait.", data: data));
    }
}
