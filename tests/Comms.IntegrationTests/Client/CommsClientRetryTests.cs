using System.Diagnostics;
using System.Net;
using System.Text;
using Comms.Client;
using Comms.Client.Generated.Models;

namespace Comms.IntegrationTests.Client;

/// <summary>
/// How <see cref="CommsClient"/> treats transient failures, against a scripted transport (no server): what it retries,
/// that <c>Retry-After</c> is honoured, that intake keeps one <c>Idempotency-Key</c>, and what it gives up on.
/// </summary>
public sealed class CommsClientRetryTests
{
    private static readonly CommsClientOptions Fast = new() { BaseDelay = TimeSpan.FromMilliseconds(10), MaxRetries = 3 };

    [Fact]
    public async Task Intake_is_retried_on_429_5xx_408_and_network_errors_with_one_generated_idempotency_key_and_the_bearer_key()
    {
        var transport = new ScriptedTransport(
            _ => Problem(HttpStatusCode.TooManyRequests, "COMMS_RATE_LIMITED", retryAfterSeconds: 1),
            _ => throw new HttpRequestException("Connection refused (simulated)."),
            _ => Problem(HttpStatusCode.ServiceUnavailable, "COMMS_UNAVAILABLE"),
            _ => Json(HttpStatusCode.Accepted, """{"id":"0195f3a0-0000-7000-8000-000000000001","status":"pending"}"""));
        using var comms = new CommsClient(transport.Client, "cms_test_key", Fast);
        var clock = Stopwatch.StartNew();

        var accepted = await comms.V1.Events.PostAsync(new EventSubmission { Name = "x", Recipients = ["a"], CauseRef = "c" });

        Assert.Equal(Guid.Parse("0195f3a0-0000-7000-8000-000000000001"), accepted?.Id);
        Assert.Equal(4, transport.Requests.Count);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"Retry-After: 1 was not honoured ({clock.Elapsed})");
        var keys = transport.Requests.Select(r => r.IdempotencyKey).Distinct().ToList();
        Assert.Single(keys);
        Assert.Matches("^[0-9a-f]{32}$", keys[0]);
        Assert.All(transport.Requests, r => Assert.Equal("Bearer cms_test_key", r.Authorization));
        Assert.All(transport.Requests, r => Assert.Contains("\"causeRef\":\"c\"", r.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_callers_idempotency_key_is_kept_and_bulk_is_retried_like_single_events()
    {
        var transport = new ScriptedTransport(
            _ => Problem(HttpStatusCode.RequestTimeout, "COMMS_TIMEOUT"),
            _ => Json(HttpStatusCode.Accepted, """{"ids":[],"count":0}"""));
        using var comms = new CommsClient(transport.Client, "cms_test_key", Fast);

        await comms.V1.Events.Bulk.PostAsync(new BulkEventSubmission { Events = [new EventSubmission { Name = "x" }] },
            config => config.Headers.Add("Idempotency-Key", "order-42"));

        Assert.Equal(["order-42", "order-42"], transport.Requests.Select(r => r.IdempotencyKey));
    }

    [Fact]
    public async Task Writes_other_than_intake_are_not_repeated_and_a_refusal_surfaces_as_the_typed_exception()
    {
        var transport = new ScriptedTransport(_ => Problem(HttpStatusCode.ServiceUnavailable, "COMMS_UNAVAILABLE", retryAfterSeconds: 2));
        using var comms = new CommsClient(transport.Client, "cms_test_key", Fast);

        var refused = await Assert.ThrowsAsync<CommsProblemException>(() =>
            comms.V1.RoutingRules["x"].PutAsync(new RoutingRuleRequest { TemplateName = "x", Category = "account", Channels = ["email"] }));

        Assert.Single(transport.Requests);
        Assert.Null(transport.Requests[0].IdempotencyKey);
        Assert.Equal(("COMMS_UNAVAILABLE", 503, TimeSpan.FromSeconds(2)), (refused.Type, refused.Status, refused.RetryAfter));
        Assert.Equal("Try again.", refused.Detail);
    }

    [Fact]
    public async Task Reads_are_retried_but_a_retry_after_longer_than_the_client_waits_is_handed_to_the_caller()
    {
        var transport = new ScriptedTransport(
            _ => Problem(HttpStatusCode.BadGateway, "COMMS_UPSTREAM"),
            _ => Problem(HttpStatusCode.TooManyRequests, "COMMS_RATE_LIMITED", retryAfterSeconds: 3600));
        using var comms = new CommsClient(transport.Client, "cms_test_key", Fast);

        var limited = await Assert.ThrowsAsync<CommsProblemException>(() => comms.V1.Categories.GetAsync());

        Assert.Equal(2, transport.Requests.Count);
        Assert.Equal(("COMMS_RATE_LIMITED", TimeSpan.FromHours(1)), (limited.Type, limited.RetryAfter));
    }

    [Fact]
    public async Task Retries_end_after_the_configured_attempts()
    {
        var transport = new ScriptedTransport(_ => Problem(HttpStatusCode.InternalServerError, "COMMS_ERROR"));
        using var comms = new CommsClient(transport.Client, "cms_test_key", new CommsClientOptions { BaseDelay = TimeSpan.FromMilliseconds(5), MaxRetries = 2 });

        var failed = await Assert.ThrowsAsync<CommsProblemException>(() => comms.V1.Events.PostAsync(new EventSubmission { Name = "x" }));

        Assert.Equal(3, transport.Requests.Count);
        Assert.Equal(500, failed.Status);
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static HttpResponseMessage Problem(HttpStatusCode status, string type, int? retryAfterSeconds = null)
    {
        var response = new HttpResponseMessage(status)
        {
            Content = new StringContent($$"""{"type":"{{type}}","title":"Not now.","status":{{(int)status}},"detail":"Try again."}""",
                Encoding.UTF8, "application/problem+json"),
        };
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        }

        return response;
    }

    private sealed record Seen(string Method, string Path, string? IdempotencyKey, string? Authorization, string Body);

    /// <summary>Answers each request with the next step of a script (the last step repeats) and remembers what it was sent.</summary>
    private sealed class ScriptedTransport(params Func<HttpRequestMessage, HttpResponseMessage>[] script) : HttpMessageHandler
    {
        public List<Seen> Requests { get; } = [];

        public HttpClient Client => new(this, disposeHandler: false) { BaseAddress = new Uri("http://comms.test/") };

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(new Seen(request.Method.Method, request.RequestUri!.AbsolutePath,
                request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : null,
                request.Headers.Authorization?.ToString(),
                request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken)));
            return script[Math.Min(Requests.Count - 1, script.Length - 1)](request);
        }
    }
}
