using Comms.Client.Generated;
using Comms.Client.Generated.Me;
using Comms.Client.Generated.Sys;
using Comms.Client.Generated.V1;
using Comms.Client.Http;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;

namespace Comms.Client;

/// <summary>
/// The Comms API for a product backend: the request builders generated from the API's OpenAPI document
/// (<see cref="V1"/>, <see cref="Me"/>, <see cref="Sys"/>), sending <c>Authorization: Bearer &lt;key&gt;</c> on every
/// request. Reads and event intake are retried on transient failures (network errors, 408, 429 honouring
/// <c>Retry-After</c>, 5xx) with exponential backoff; intake carries the same <c>Idempotency-Key</c> on every attempt
/// (made here when the caller sets none), so a retried event is stored once. Every refusal of the API throws a
/// <see cref="CommsProblemException"/> with its <c>COMMS_*</c> type.
/// </summary>
/// <example>
/// <code>
/// using var comms = new CommsClient(new Uri("http://127.0.0.1:5080"), "demo-api-key");
/// var accepted = await comms.V1.Events.PostAsync(new EventSubmission { Name = "demo.welcome", Recipients = ["alice"], CauseRef = "signup:1" });
/// </code>
/// </example>
public sealed class CommsClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Func<HttpMessageHandler> _transport;
    private readonly CommsClientOptions _options;

    /// <summary>A client of the API at <paramref name="baseUrl"/>, authenticated with <paramref name="apiKey"/>.</summary>
    /// <param name="baseUrl">The API's address, e.g. <c>http://127.0.0.1:5080</c>.</param>
    /// <param name="apiKey">A tenant API key for <c>/v1</c> (or an end-user token for <c>/me</c>, the operator key for <c>/sys</c>).</param>
    /// <param name="options">Retry settings; the defaults suit most callers.</param>
    public CommsClient(Uri baseUrl, string apiKey, CommsClientOptions? options = null)
        : this(baseUrl, apiKey, options ?? new CommsClientOptions(), () => KiotaClientFactory.GetDefaultHttpMessageHandler())
    {
    }

    /// <summary>
    /// A client that sends through <paramref name="httpClient"/> (its <see cref="HttpClient.BaseAddress"/> is the API's
    /// address), e.g. one from <c>IHttpClientFactory</c> or a test server. The caller keeps ownership of it.
    /// </summary>
    public CommsClient(HttpClient httpClient, string apiKey, CommsClientOptions? options = null)
        : this(BaseAddressOf(httpClient), apiKey, options ?? new CommsClientOptions(), () => new HttpClientForwarder(httpClient))
    {
    }

    private CommsClient(Uri baseUrl, string apiKey, CommsClientOptions options, Func<HttpMessageHandler> transport)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        BaseUrl = baseUrl;
        _options = options;
        _transport = transport;

        // Kiota's own middleware, but its retry (which would repeat any POST without a key) gives way to ours.
        DelegatingHandler[] handlers =
        [
            .. KiotaClientFactory.CreateDefaultHandlers().Where(h => h is not RetryHandler),
            new ProblemDetailsHandler(),
            new TransientRetryHandler(options),
        ];
        _http = new HttpClient(KiotaClientFactory.ChainHandlersCollectionAndGetFirstLink(transport(), handlers)!, disposeHandler: true);
        var adapter = new HttpClientRequestAdapter(new BaseBearerTokenAuthenticationProvider(new StaticBearerTokenProvider(apiKey)), httpClient: _http)
        {
            BaseUrl = baseUrl.AbsoluteUri.TrimEnd('/'),
        };
        Api = new CommsApiClient(adapter);
    }

    /// <summary>The API's address.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The generated client's root (every path of the API).</summary>
    public CommsApiClient Api { get; }

    /// <summary><c>/v1</c>: events, recipients, templates, routing rules, keys… (tenant API key).</summary>
    public V1RequestBuilder V1 => Api.V1;

    /// <summary><c>/me</c>: the end user's notifications and preferences (end-user token, see <see cref="ForUser"/>).</summary>
    public MeRequestBuilder Me => Api.Me;

    /// <summary><c>/sys</c>: platform operators (operator key).</summary>
    public SysRequestBuilder Sys => Api.Sys;

    /// <summary>A client of the same API with the same settings acting as an end user (<c>/me</c>) with a token from <see cref="UserTokens.Create"/>.</summary>
    public CommsClient ForUser(string userToken) => new(BaseUrl, userToken, _options, _transport);

    public void Dispose() => _http.Dispose();

    private static Uri BaseAddressOf(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        return httpClient.BaseAddress
            ?? throw new ArgumentException("The HttpClient needs a BaseAddress: the API's address.", nameof(httpClient));
    }
}
