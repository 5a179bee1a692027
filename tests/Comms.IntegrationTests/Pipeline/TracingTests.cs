using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Comms.Core.Diagnostics;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Pipeline;

/// <summary>One trace runs from the API request through routing to each send (the trace context travels in the queued rows).</summary>
[Collection(CommsCollection.Name)]
public sealed class TracingTests(CommsFixture fixture)
{
    [Fact]
    public async Task Routing_and_sending_continue_the_callers_trace()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CommsTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var traceId = ActivityTraceId.CreateRandom();
        var client = tenant.ApiClient();
        client.DefaultRequestHeaders.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        var response = await client.PostAsJsonAsync("/v1/events",
            new { name = TestTenant.WelcomeEvent, recipients = new[] { "alice" }, causeRef = "trace:1", payload = new { name = "Alice" } });
        response.EnsureSuccessStatusCode();

        await Poll.UntilAsync(() => Task.FromResult(
            spans.Count(s => s.TraceId == traceId && s.DisplayName.StartsWith("send ", StringComparison.Ordinal)) == 2),
            "both sends to be traced");
        Assert.Contains(spans, s => s.TraceId == traceId && s.DisplayName == "route " + TestTenant.WelcomeEvent);
        Assert.Contains(spans, s => s.TraceId == traceId && s.DisplayName == "send email" && Equals(s.GetTagItem("comms.template"), TestTenant.WelcomeEvent));
    }
}
